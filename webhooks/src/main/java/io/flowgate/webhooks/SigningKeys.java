package io.flowgate.webhooks;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.EmptyWebhookSecretException;
import com.standardwebhooks.exceptions.WebhookSigningException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Standard Webhooks signing secrets of every tenant, derived from the operator's master keys:
 * the secret of tenant {@code t} under master key {@code k} is HMAC-SHA256(k, "flowgate-webhook-signing:"
 * + t). No per-tenant secret is stored anywhere; a tenant reads its own through the API.
 *
 * <p>Every configured master key signs, so during a rotation each callback carries one signature per
 * key (the spec's space-separated list) and receivers holding either secret verify it. Signing and
 * the header format are the Standard Webhooks reference library's.
 */
public final class SigningKeys {

    private static final String CONTEXT = "flowgate-webhook-signing:";

    private final List<MasterKey> keys;

    /**
     * A master key.
     *
     * @param id a name for it, shown to tenants next to the secret it yields
     * @param secret at least 32 random bytes
     */
    public record MasterKey(String id, byte[] secret) {
        public MasterKey {
            if (secret.length < 32) {
                throw new IllegalArgumentException("signing key '" + id + "' is shorter than 32 bytes");
            }
        }

        /** A key from its base64 text. */
        public static MasterKey of(String id, String base64) {
            return new MasterKey(id, Base64.getDecoder().decode(base64.strip()));
        }
    }

    /**
     * A tenant's secret under one master key.
     *
     * @param keyId the master key's id
     * @param secret {@code whsec_} and the base64 of the secret, as Standard Webhooks libraries take it
     */
    public record TenantSecret(String keyId, String secret) {}

    /** @param keys the master keys; the first is the newest */
    public SigningKeys(List<MasterKey> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("at least one webhook signing key is needed");
        }
        this.keys = List.copyOf(keys);
    }

    /** The tenant's secrets, one per master key, newest first. */
    public List<TenantSecret> secretsOf(String tenantId) {
        return keys.stream()
                .map(key -> new TenantSecret(
                        key.id(), "whsec_" + Base64.getEncoder().encodeToString(derive(key, tenantId))))
                .toList();
    }

    /**
     * The {@code webhook-signature} header value for one message: a {@code v1,<base64>} signature per
     * master key, space-separated.
     *
     * @param timestamp the {@code webhook-timestamp}, in seconds
     */
    public String signature(String tenantId, String webhookId, long timestamp, String body) {
        return keys.stream()
                .map(key -> {
                    try {
                        return new Webhook(derive(key, tenantId)).sign(webhookId, timestamp, body);
                    } catch (WebhookSigningException | EmptyWebhookSecretException e) {
                        throw new IllegalStateException("could not sign a callback", e);
                    }
                })
                .collect(Collectors.joining(" "));
    }

    private static byte[] derive(MasterKey key, String tenantId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.secret(), "HmacSHA256"));
            return mac.doFinal((CONTEXT + tenantId).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
