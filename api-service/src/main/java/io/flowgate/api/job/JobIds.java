package io.flowgate.api.job;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
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

    /**
     * A fresh job id that says when it was issued: 48 bits of {@code now} in milliseconds, then 80
     * random bits (as a UUIDv7 does), still 22 characters. Any replica can then tell a job accepted a
     * moment ago, which its owner's view may not show yet, from one that does not exist ({@link
     * #issuedWithin}); 80 random bits keep it unguessable.
     */
    public String timed(Instant now) {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        long millis = now.toEpochMilli();
        for (int i = 0; i < 6; i++) {
            bytes[i] = (byte) (millis >>> (8 * (5 - i)));
        }
        return ENCODER.encodeToString(bytes);
    }

    /**
     * Whether {@code id} (well formed) is a {@link #timed} id issued within {@code grace} before {@code
     * now}. Random and idempotent ids read as a random time, almost never within it.
     */
    public static boolean issuedWithin(String id, Instant now, Duration grace) {
        byte[] bytes = Base64.getUrlDecoder().decode(id);
        long millis = 0;
        for (int i = 0; i < 6; i++) {
            millis = (millis << 8) | (bytes[i] & 0xff);
        }
        long age = now.toEpochMilli() - millis;
        return age >= -1_000 && age <= grace.toMillis();
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
