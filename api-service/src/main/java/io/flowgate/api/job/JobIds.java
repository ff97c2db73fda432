package io.flowgate.api.job;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Job ids: 128 bits, unguessable, URL-safe (22 base64url characters). A job submitted with an
 * {@code Idempotency-Key} gets an id derived from the tenant and the key with HMAC-SHA256, so a
 * replay of the same key finds the same job without any lookup table, and no tenant can derive
 * another's.
 */
public final class JobIds {

    private static final Pattern FORMAT = Pattern.compile("^[A-Za-z0-9_-]{22}$");
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private final SecureRandom random = new SecureRandom();
    private final SecretKeySpec key;

    public JobIds(String secret) {
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    /** A fresh random id. */
    public String random() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return ENCODER.encodeToString(bytes);
    }

    /** The id of the job a tenant submits with {@code idempotencyKey}. */
    public String idempotent(String tenantId, String idempotencyKey) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            byte[] digest = mac.doFinal((tenantId + "\n" + idempotencyKey).getBytes(StandardCharsets.UTF_8));
            return ENCODER.encodeToString(Arrays.copyOf(digest, 16));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    /** Whether {@code id} has the shape of a job id (anything else is a plain 404). */
    public static boolean isWellFormed(String id) {
        return FORMAT.matcher(id).matches();
    }
}
