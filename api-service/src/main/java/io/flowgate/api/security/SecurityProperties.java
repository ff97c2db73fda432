package io.flowgate.api.security;

import jakarta.validation.constraints.PositiveOrZero;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * How bearer tokens are checked.
 *
 * @param authority the Entra ID authority host ({@code https://login.microsoftonline.com}, a
 *     sovereign cloud's, or the local issuer's); v2 issuers are {@code {authority}/{tid}/v2.0}
 * @param v1IssuerHost host of v1 issuers ({@code https://sts.windows.net/{tid}/})
 * @param jwksUri the signing keys; defaults to {@code {authority}/common/discovery/v2.0/keys}
 * @param audiences accepted {@code aud} values: the app id URI and the client id
 * @param clockSkew tolerance on {@code exp} and {@code nbf}
 * @param requiredScope the delegated scope every {@code /api/v1} call needs in {@code scp}
 * @param maxTokenSize longest accepted bearer token; longer ones are refused before any parsing
 * @param eventsRole the app role a tenant's own service needs in {@code roles} to publish events
 *     ({@code POST /api/v1/events}); service tokens carry no delegated scope
 * @param jwks how the signing keys are fetched, cached and refreshed
 * @param tokenCache how many verified tokens are remembered, and how long ({@code VerifiedTokenCache})
 */
@ConfigurationProperties("flowgate.security")
public record SecurityProperties(
        @DefaultValue("https://login.microsoftonline.com") URI authority,
        @DefaultValue("https://sts.windows.net") URI v1IssuerHost,
        @Nullable URI jwksUri,
        @DefaultValue("api://flowgate") List<String> audiences,
        @DefaultValue("60s") Duration clockSkew,
        @DefaultValue("user_impersonation") String requiredScope,
        @DefaultValue("16KB") DataSize maxTokenSize,
        @DefaultValue("Flowgate.Events") String eventsRole,
        @DefaultValue JwksSettings jwks,
        @DefaultValue TokenCache tokenCache) {

    /**
     * Verified tokens remembered so a token used again is not verified again.
     *
     * @param maxTokens most tokens remembered (0 turns the cache off)
     * @param maxAge longest a token is remembered (it is never remembered past its {@code exp})
     */
    public record TokenCache(
            @DefaultValue("10000") @PositiveOrZero long maxTokens,
            @DefaultValue("5m") Duration maxAge) {}

    /** The JWKS URL to fetch keys from. */
    public URI effectiveJwksUri() {
        return jwksUri != null ? jwksUri : URI.create(trim(authority) + "/common/discovery/v2.0/keys");
    }

    static String trim(URI uri) {
        String s = uri.toString();
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
