package io.flowgate.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SecretBoxTests {

    private static final String URL = "https://prod-01.westeurope.logic.azure.com/workflows/1/runs/2?sig=abc123";
    private static final String CONTOSO = "11111111-1111-4111-8111-111111111111";
    private static final String FABRIKAM = "22222222-2222-4222-8222-222222222222";

    @Test
    void sealedSecretOpensForItsTenantAndHidesThePlaintext() {
        SecretBox box = SecretBox.fromKeyset(SecretBox.newKeyset());
        String sealed = box.seal(URL, CONTOSO);
        assertThat(sealed).doesNotContain("sig").doesNotContain("logic.azure.com");
        assertThat(box.open(sealed, CONTOSO)).isEqualTo(URL);
        assertThat(box.seal(URL, CONTOSO)).as("a fresh nonce each time").isNotEqualTo(sealed);
    }

    @Test
    void ciphertextNamesTheKeyThatSealedIt() {
        SecretBox box = SecretBox.fromKeyset(SecretBox.newKeyset());
        byte[] raw = Base64.getUrlDecoder().decode(box.seal(URL, CONTOSO));
        assertThat(raw[0]).as("Tink output prefix version").isEqualTo((byte) 1);
        assertThat(ByteBuffer.wrap(raw, 1, 4).getInt()).isEqualTo(box.primaryKeyId());
    }

    @Test
    void secretSealedForOneTenantDoesNotOpenForAnother() {
        SecretBox box = SecretBox.fromKeyset(SecretBox.newKeyset());
        String sealed = box.seal(URL, CONTOSO);
        assertThatThrownBy(() -> box.open(sealed, FABRIKAM))
                .isInstanceOf(SecretBox.SecretUnreadable.class)
                .hasMessageNotContaining("sig");
    }

    @Test
    void alteredCiphertextDoesNotOpen() {
        SecretBox box = SecretBox.fromKeyset(SecretBox.newKeyset());
        byte[] raw = Base64.getUrlDecoder().decode(box.seal(URL, CONTOSO));
        raw[raw.length - 1] ^= 1;
        String altered = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        assertThatThrownBy(() -> box.open(altered, CONTOSO)).isInstanceOf(SecretBox.SecretUnreadable.class);
        assertThatThrownBy(() -> box.open("not base64 !", CONTOSO)).isInstanceOf(SecretBox.SecretUnreadable.class);
    }

    @Test
    void afterRotationNewSecretsUseTheNewKeyAndOldOnesStillOpen() {
        String keyset = SecretBox.newKeyset();
        SecretBox before = SecretBox.fromKeyset(keyset);
        String old = before.seal(URL, CONTOSO);

        String rotatedKeyset = SecretBox.rotate(keyset);
        SecretBox after = SecretBox.fromKeyset(rotatedKeyset);
        assertThat(after.primaryKeyId()).isNotEqualTo(before.primaryKeyId());
        assertThat(after.open(old, CONTOSO)).isEqualTo(URL);
        String fresh = after.seal(URL, CONTOSO);
        assertThat(ByteBuffer.wrap(Base64.getUrlDecoder().decode(fresh), 1, 4).getInt())
                .isEqualTo(after.primaryKeyId());
        assertThatThrownBy(() -> before.open(fresh, CONTOSO))
                .as("a keyset without the new key cannot open what it sealed")
                .isInstanceOf(SecretBox.SecretUnreadable.class);
    }

    @Test
    void invalidKeysetIsRejectedClearly() {
        assertThatThrownBy(() -> SecretBox.fromKeyset("{\"primaryKeyId\": 1}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("keyset");
    }
}
