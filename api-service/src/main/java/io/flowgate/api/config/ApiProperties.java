package io.flowgate.api.config;

import jakarta.validation.constraints.Positive;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the public API.
 *
 * @param publicBaseUrl the connector's public base URL; every {@code Location} is built on it.
 *     Required, and an {@code https} address of a host other than this machine unless
 *     {@code allowInsecurePublicBaseUrl} (the local profile): the engine follows these URLs with
 *     the flow's token
 * @param maxWait cap on a synchronous wait, well below the engine's 120 s request limit
 * @param statusPurgeInterval how often the status view purges jobs past their retention
 * @param acceptedGrace how long this replica vouches for a job it accepted but its status view
 *     has not seen yet (closes the gap between the 202 and the first poll)
 * @param jobDeadline how long a job may wait and run before it is EXPIRED
 * @param idSecret key for idempotent job ids (HMAC of tenant and {@code Idempotency-Key}): a long
 *     random secret, required; only the {@code local} profile sets a development value. With a
 *     known secret anyone could compute the job id another tenant's key maps to
 * @param maxBodySize largest accepted request body
 * @param maxJsonDepth deepest accepted JSON nesting
 * @param unavailableRetryAfter the {@code Retry-After} of a 503 when Kafka cannot take a write
 * @param allowInsecurePublicBaseUrl accept a plain-http or loopback public base URL (the local
 *     profile only)
 */
@ConfigurationProperties("flowgate.api")
@Validated
public record ApiProperties(
        URI publicBaseUrl,
        @DefaultValue("100s") Duration maxWait,
        @DefaultValue("1h") Duration statusPurgeInterval,
        @DefaultValue("2m") Duration acceptedGrace,
        @DefaultValue("24h") Duration jobDeadline,
        String idSecret,
        @DefaultValue("1MB") DataSize maxBodySize,
        @DefaultValue("64") @Positive int maxJsonDepth,
        @DefaultValue("5s") Duration unavailableRetryAfter,
        @DefaultValue("false") boolean allowInsecurePublicBaseUrl) {

    /** The shortest id secret accepted. */
    public static final int MIN_ID_SECRET_LENGTH = 32;

    public ApiProperties {
        if (idSecret == null || idSecret.isBlank()) {
            throw new IllegalArgumentException("flowgate.api.id-secret is not set: set a long random secret ("
                    + MIN_ID_SECRET_LENGTH + " characters or more); only the local profile has a development value");
        }
        if (idSecret.length() < MIN_ID_SECRET_LENGTH) {
            throw new IllegalArgumentException(
                    "flowgate.api.id-secret is too short: use " + MIN_ID_SECRET_LENGTH + " characters or more");
        }
        if (publicBaseUrl == null) {
            throw new IllegalArgumentException(
                    "flowgate.api.public-base-url is not set: the connector's public https address, for example"
                            + " https://flowgate.example.com");
        }
        if (!allowInsecurePublicBaseUrl) {
            if (!"https".equals(publicBaseUrl.getScheme())) {
                throw new IllegalArgumentException("flowgate.api.public-base-url must be an https address, is "
                        + publicBaseUrl + " (plain http is for the local profile only)");
            }
            if (isLoopback(publicBaseUrl.getHost())) {
                throw new IllegalArgumentException("flowgate.api.public-base-url names this machine (" + publicBaseUrl
                        + "): use the public host name that flows call");
            }
        }
    }

    private static boolean isLoopback(@org.jspecify.annotations.Nullable String host) {
        if (host == null) {
            return true;
        }
        String name = host.toLowerCase(java.util.Locale.ROOT);
        return name.equals("localhost")
                || name.endsWith(".localhost")
                || name.startsWith("127.")
                || name.equals("[::1]")
                || name.equals("0.0.0.0");
    }

    /** The absolute URL of {@code path} (which starts with {@code /}) on the public base URL. */
    public URI publicUrl(String path) {
        String base = publicBaseUrl.toString();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path);
    }
}
