package io.flowgate.api.tenant;

import java.util.Objects;
import org.springframework.security.oauth2.jwt.Jwt;

/** The tenant of a request is the {@code tid} claim of its validated token. */
public final class Tenants {

    /** The tenant id of a validated token (the issuer check guarantees it is present). */
    public static String of(Jwt token) {
        return Objects.requireNonNull(token.getClaimAsString("tid"), "a validated token has a tid claim");
    }

    private Tenants() {}
}
