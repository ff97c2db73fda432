package io.flowgate.api.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.Jwt;

class TenantIssuerValidatorTests {

    private static final String TID = "11111111-1111-4111-8111-111111111111";
    private static final String OTHER = "22222222-2222-4222-8222-222222222222";

    private final TenantIssuerValidator validator = new TenantIssuerValidator(new SecurityProperties(
            URI.create("https://login.microsoftonline.com/"),
            URI.create("https://sts.windows.net"),
            null,
            List.of("api://flowgate"),
            Duration.ofSeconds(60),
            "user_impersonation",
            org.springframework.util.unit.DataSize.ofKilobytes(16),
            "Flowgate.Events",
            JwksSettings.defaults(),
            new SecurityProperties.TokenCache(10_000, Duration.ofMinutes(5))));

    private static Jwt token(String issuer, String tid) {
        Jwt.Builder builder = Jwt.withTokenValue("t")
                .header("alg", "RS256")
                .issuer(issuer)
                .issuedAt(Instant.now())
                .expiresAt(Instant.now().plusSeconds(60));
        if (tid != null) {
            builder.claim("tid", tid);
        }
        return builder.build();
    }

    @Test
    void v2AndV1IssuersOfTheTokensOwnTenantAreAccepted() {
        assertThat(validator
                        .validate(token("https://login.microsoftonline.com/" + TID + "/v2.0", TID))
                        .hasErrors())
                .isFalse();
        assertThat(validator
                        .validate(token("https://sts.windows.net/" + TID + "/", TID))
                        .hasErrors())
                .isFalse();
    }

    @Test
    void anIssuerOfAnotherTenantIsRejected() {
        assertThat(validator
                        .validate(token("https://login.microsoftonline.com/" + OTHER + "/v2.0", TID))
                        .hasErrors())
                .isTrue();
    }

    @Test
    void anotherAuthorityIsRejected() {
        assertThat(validator
                        .validate(token("https://evil.example/" + TID + "/v2.0", TID))
                        .hasErrors())
                .isTrue();
    }

    @Test
    void aMissingOrMalformedTidIsRejected() {
        assertThat(validator
                        .validate(token("https://login.microsoftonline.com/x/v2.0", null))
                        .hasErrors())
                .isTrue();
        assertThat(validator
                        .validate(token("https://login.microsoftonline.com/common/v2.0", "common"))
                        .hasErrors())
                .isTrue();
    }
}
