package io.flowgate.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Signatures are checked with the Standard Webhooks reference library, as a receiver would. */
class SigningKeysTests {

    private static final SigningKeys.MasterKey OLD =
            SigningKeys.MasterKey.of("k1", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
    private static final SigningKeys.MasterKey NEW =
            SigningKeys.MasterKey.of("k2", "HyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4=");

    @Test
    void aReceiverHoldingTheTenantSecretVerifiesTheSignature() throws Exception {
        SigningKeys keys = new SigningKeys(List.of(NEW));
        long now = System.currentTimeMillis() / 1000;
        String body = "{\"jobId\":\"j\",\"status\":\"succeeded\"}";
        String signature = keys.signature("tenant-a", "msg_1", now, body);

        new Webhook(keys.secretsOf("tenant-a").getFirst().secret()).verify(body, headers("msg_1", now, signature));
        assertThatThrownBy(
                        () -> new Webhook(keys.secretsOf("tenant-b").getFirst().secret())
                                .verify(body, headers("msg_1", now, signature)))
                .isInstanceOf(WebhookVerificationException.class);
        assertThatThrownBy(
                        () -> new Webhook(keys.secretsOf("tenant-a").getFirst().secret())
                                .verify(body + " ", headers("msg_1", now, signature)))
                .isInstanceOf(WebhookVerificationException.class);
    }

    @Test
    void duringARotationBothSecretsVerify() throws Exception {
        SigningKeys rotating = new SigningKeys(List.of(NEW, OLD));
        long now = System.currentTimeMillis() / 1000;
        String signature = rotating.signature("tenant-a", "msg_2", now, "{}");
        assertThat(signature.split(" ")).hasSize(2).allMatch(part -> part.startsWith("v1,"));
        for (SigningKeys.TenantSecret secret : rotating.secretsOf("tenant-a")) {
            new Webhook(secret.secret()).verify("{}", headers("msg_2", now, signature));
        }
        assertThat(rotating.secretsOf("tenant-a"))
                .extracting(SigningKeys.TenantSecret::keyId)
                .containsExactly("k2", "k1");
    }

    @Test
    void shortKeysAreRefused() {
        assertThatThrownBy(() -> SigningKeys.MasterKey.of("k", "AAEC")).hasMessageContaining("32 bytes");
    }

    private static Map<String, List<String>> headers(String id, long timestamp, String signature) {
        return Map.of(
                "webhook-id", List.of(id),
                "webhook-timestamp", List.of(Long.toString(timestamp)),
                "webhook-signature", List.of(signature));
    }
}
