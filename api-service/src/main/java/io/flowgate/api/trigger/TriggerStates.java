package io.flowgate.api.trigger;

import io.flowgate.contracts.Triggers;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The polling trigger's {@code triggerState}: where in a key's events a flow has got to, signed and
 * bound to the tenant, the trigger and the filter. Its form is {@code 1.<partition>.<offset>.<mac>}; the
 * MAC (HMAC-SHA256 with a key derived from the API's id secret, 128 bits kept) covers the tenant,
 * trigger and canonical filter as well, which are not in the state: a state changed by hand, or used
 * by another tenant, trigger or filter, fails the check. Flows must treat it as opaque.
 */
final class TriggerStates {

    private static final Pattern FORMAT = Pattern.compile("^1\\.(\\d{1,9})\\.(-1|\\d{1,19})\\.([A-Za-z0-9_-]{22})$");
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private final SecretKeySpec key;

    TriggerStates(String idSecret) {
        this.key = new SecretKeySpec(("trigger-state\n" + idSecret).getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    /**
     * A position in one key's events: the partition that holds the key and the offset of the last event
     * passed ({@code -1}: none).
     */
    record Position(int partition, long offset) {}

    /** The state of {@code position} for this tenant, trigger and filter. */
    String seal(String tenantId, String trigger, Map<String, String> filter, Position position) {
        return "1." + position.partition() + "." + position.offset() + "."
                + mac(tenantId, trigger, filter, position.partition(), position.offset());
    }

    /** The position {@code state} holds, if it is well formed and was sealed for exactly these. */
    Optional<Position> open(String tenantId, String trigger, Map<String, String> filter, String state) {
        Matcher parts = FORMAT.matcher(state);
        if (!parts.matches()) {
            return Optional.empty();
        }
        int partition;
        long offset;
        try {
            partition = Integer.parseInt(parts.group(1));
            offset = Long.parseLong(parts.group(2));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        String expected = mac(tenantId, trigger, filter, partition, offset);
        boolean valid = MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.US_ASCII), parts.group(3).getBytes(StandardCharsets.US_ASCII));
        return valid ? Optional.of(new Position(partition, offset)) : Optional.empty();
    }

    private String mac(String tenantId, String trigger, Map<String, String> filter, int partition, long offset) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            String signed =
                    tenantId + "\n" + trigger + "\n" + Triggers.canonical(filter) + "\n" + partition + "\n" + offset;
            return ENCODER.encodeToString(Arrays.copyOf(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)), 16));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
