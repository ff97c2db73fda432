package io.flowgate.api.security;

import java.util.regex.Pattern;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * Multi-tenant issuer check: the token's issuer must be the v2 issuer ({@code {authority}/{tid}/v2.0})
 * or the v1 issuer ({@code {v1host}/{tid}/}) of the very tenant named in its {@code tid} claim.
 * A token minted by one tenant cannot claim to belong to another.
 */
final class TenantIssuerValidator implements OAuth2TokenValidator<Jwt> {

    private static final Pattern TENANT_ID =
            Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

    private final String authority;
    private final String v1Host;

    TenantIssuerValidator(SecurityProperties properties) {
        this.authority = SecurityProperties.trim(properties.authority());
        this.v1Host = SecurityProperties.trim(properties.v1IssuerHost());
    }

    @Override
    public OAuth2TokenValidatorResult validate(Jwt token) {
        String tid = token.getClaimAsString("tid");
        if (tid == null || !TENANT_ID.matcher(tid).matches()) {
            return failure("The token has no valid tid claim");
        }
        String issuer = token.getClaimAsString("iss");
        if ((authority + "/" + tid + "/v2.0").equals(issuer) || (v1Host + "/" + tid + "/").equals(issuer)) {
            return OAuth2TokenValidatorResult.success();
        }
        return failure("The token's issuer is not the issuer of its tenant");
    }

    private static OAuth2TokenValidatorResult failure(String description) {
        return OAuth2TokenValidatorResult.failure(new OAuth2Error(OAuth2ErrorCodes.INVALID_TOKEN, description, null));
    }
}
