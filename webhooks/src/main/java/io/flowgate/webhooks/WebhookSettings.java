package io.flowgate.webhooks;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Callback settings shared by api-service (checks at subscribe time, seals URLs, shows tenants their
 * signing secrets) and callback-dispatcher (checks again at connect time, opens URLs, signs).
 *
 * @param allowHttp accept plain-http callback URLs; for a developer's machine only
 * @param allowedHosts callback hosts allowed ({@code host} or {@code *.domain}); unset means the
 *     Logic Apps and Power Automate hosts of every cloud ({@link CallbackUrlPolicy#DEFAULT_ALLOWED_HOSTS})
 * @param allowedAddresses special-purpose address ranges (CIDR) callbacks may reach anyway; empty in
 *     production, {@code 127.0.0.1/32} on the local stack
 * @param signingKeys master keys of the Standard Webhooks signatures, newest first; every one signs
 * @param callbackUrlKeyset the Tink keyset (JSON) that seals callback URLs at rest
 */
@ConfigurationProperties("flowgate.webhooks")
public record WebhookSettings(
        @DefaultValue("false") boolean allowHttp,
        @Nullable List<String> allowedHosts,
        @DefaultValue List<String> allowedAddresses,
        @DefaultValue List<SigningKey> signingKeys,
        @Nullable String callbackUrlKeyset) {

    /**
     * One signing master key.
     *
     * @param id its name, shown next to the tenant secret it yields
     * @param secret base64 of at least 32 random bytes
     */
    public record SigningKey(String id, String secret) {}

    /** The callback URL policy these settings describe. */
    public CallbackUrlPolicy policy() {
        return new CallbackUrlPolicy(
                allowHttp,
                allowedHosts == null ? CallbackUrlPolicy.DEFAULT_ALLOWED_HOSTS : allowedHosts,
                new AddressRules(allowedAddresses));
    }

    /**
     * The signing keys.
     *
     * @throws IllegalStateException when none is configured
     */
    public SigningKeys keys() {
        if (signingKeys.isEmpty()) {
            throw new IllegalStateException(
                    "flowgate.webhooks.signing-keys is empty: set at least one signing key (see docs/configuration.md)");
        }
        return new SigningKeys(signingKeys.stream()
                .map(key -> SigningKeys.MasterKey.of(key.id(), key.secret()))
                .toList());
    }

    /**
     * The keyset that seals callback URLs.
     *
     * @throws IllegalStateException when it is not configured
     */
    public String keyset() {
        if (callbackUrlKeyset == null || callbackUrlKeyset.isBlank()) {
            throw new IllegalStateException("flowgate.webhooks.callback-url-keyset is not set: set a Tink keyset"
                    + " (see docs/configuration.md)");
        }
        return callbackUrlKeyset;
    }
}
