package io.flowgate.webhooks;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

/**
 * Seals tenant secrets (callback URLs, which carry a signature) before they are written to Kafka, and
 * opens them where they are used.
 *
 * <p>Authenticated encryption (AES-256-GCM) from Google Tink, with a keyset read from a secret. Every
 * ciphertext starts with the id of the key that sealed it, so keys rotate by adding a new primary
 * key to the keyset: new secrets use it, older ones still open with the key they name. The tenant id
 * is bound to each ciphertext as associated data, so a sealed secret moved into another tenant's
 * record does not open.
 */
public final class SecretBox {

    static {
        try {
            AeadConfig.register();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Aead aead;
    private final int primaryKeyId;

    private SecretBox(KeysetHandle keyset) throws GeneralSecurityException {
        this.aead = keyset.getPrimitive(RegistryConfiguration.get(), Aead.class);
        this.primaryKeyId = keyset.getPrimary().getId();
    }

    /**
     * A box on a Tink JSON keyset (what {@link #newKeyset()} writes).
     *
     * @throws IllegalArgumentException when the keyset is not a valid AEAD keyset
     */
    public static SecretBox fromKeyset(String keysetJson) {
        try {
            return new SecretBox(TinkJsonProtoKeysetFormat.parseKeyset(keysetJson, InsecureSecretKeyAccess.get()));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("not a valid AEAD keyset (Tink JSON format)", e);
        }
    }

    /** A fresh keyset with one AES-256-GCM key, as JSON: the secret to configure. */
    public static String newKeyset() {
        try {
            return TinkJsonProtoKeysetFormat.serializeKeyset(
                    KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM), InsecureSecretKeyAccess.get());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a keyset", e);
        }
    }

    /**
     * {@code keysetJson} with a new AES-256-GCM key added and made primary: new secrets are sealed
     * with it, the existing keys still open what they sealed.
     */
    public static String rotate(String keysetJson) {
        try {
            KeysetHandle current = TinkJsonProtoKeysetFormat.parseKeyset(keysetJson, InsecureSecretKeyAccess.get());
            KeysetHandle.Builder builder = KeysetHandle.newBuilder(current);
            builder.addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM)
                    .withRandomId()
                    .makePrimary());
            return TinkJsonProtoKeysetFormat.serializeKeyset(builder.build(), InsecureSecretKeyAccess.get());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot rotate the keyset", e);
        }
    }

    /** Seals {@code secret} for {@code tenantId}; the answer is URL-safe base64. */
    public String seal(String secret, String tenantId) {
        try {
            byte[] sealed =
                    aead.encrypt(secret.getBytes(StandardCharsets.UTF_8), tenantId.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(sealed);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal a secret", e);
        }
    }

    /**
     * Opens what {@link #seal} sealed for the same tenant.
     *
     * @throws SecretUnreadable when it was altered, sealed for another tenant, or sealed by a key no
     *     longer in the keyset
     */
    public String open(String sealed, String tenantId) {
        try {
            byte[] plain =
                    aead.decrypt(Base64.getUrlDecoder().decode(sealed), tenantId.getBytes(StandardCharsets.UTF_8));
            return new String(plain, StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new SecretUnreadable(e);
        }
    }

    /** The id of the key new secrets are sealed with. */
    public int primaryKeyId() {
        return primaryKeyId;
    }

    /** A sealed secret that does not open. Carries no part of the secret. */
    public static final class SecretUnreadable extends RuntimeException {
        SecretUnreadable(Throwable cause) {
            super("the sealed secret does not open with this keyset for this tenant", cause);
        }
    }
}
