package io.flowgate.api.replica;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The bearer credential of calls between replicas: HMAC-SHA256 of a fixed label under the id secret
 * every replica already shares ({@code flowgate.api.id-secret}), so there is no second secret to
 * distribute, and the id secret itself never crosses the network.
 */
public final class InternalAuth {

    private static final String LABEL = "flowgate api-service internal calls v1";

    private final String header;

    /** The credential derived from {@code idSecret}. */
    public InternalAuth(String idSecret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(idSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] token = mac.doFinal(LABEL.getBytes(StandardCharsets.UTF_8));
            this.header = "Bearer " + Base64.getUrlEncoder().withoutPadding().encodeToString(token);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    /** The {@code Authorization} header value a replica sends. */
    String header() {
        return header;
    }

    /** Whether an {@code Authorization} header value is the replicas' (compared in constant time). */
    boolean accepts(@Nullable String authorization) {
        return authorization != null
                && MessageDigest.isEqual(
                        authorization.getBytes(StandardCharsets.UTF_8), header.getBytes(StandardCharsets.UTF_8));
    }
}
