package io.flowgate.api.security;

import java.time.Duration;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * How the token signing keys (JWKS) are fetched and kept ({@code flowgate.security.jwks.*}).
 *
 * @param connectTimeout longest wait to connect to the JWKS endpoint
 * @param readTimeout longest wait for its answer
 * @param maxSize largest key set accepted (Entra ID's is a few kilobytes)
 * @param refresh how long a fetched key set is used; it is re-fetched on a schedule before then, so
 *     a key withdrawn by Entra ID stops being trusted within this time
 * @param refreshAhead how long before the end of {@code refresh} the scheduled re-fetch starts
 *     ({@code refresh-ahead} plus {@code read-timeout} must not exceed {@code refresh})
 * @param minRefetchInterval a token signed with an unknown {@code kid} re-fetches the key set at
 *     most once per this interval; other such tokens meanwhile are refused (401)
 * @param outageTolerance how long the last fetched keys stay in use while the endpoint cannot be
 *     reached; after that, and before any key was ever fetched, calls are answered 503
 * @param retryAfter the {@code Retry-After} of that 503
 */
public record JwksSettings(
        @DefaultValue("2s") Duration connectTimeout,
        @DefaultValue("3s") Duration readTimeout,
        @DefaultValue("512KB") DataSize maxSize,
        @DefaultValue("15m") Duration refresh,
        @DefaultValue("1m") Duration refreshAhead,
        @DefaultValue("30s") Duration minRefetchInterval,
        @DefaultValue("1h") Duration outageTolerance,
        @DefaultValue("10s") Duration retryAfter) {

    public JwksSettings {
        // The scheduled re-fetch, waited for up to the read timeout, must end before the keys expire.
        if (refreshAhead.plus(readTimeout).compareTo(refresh) > 0) {
            throw new IllegalArgumentException("flowgate.security.jwks.refresh-ahead plus read-timeout must not"
                    + " exceed flowgate.security.jwks.refresh");
        }
    }

    /** The defaults above. */
    public static JwksSettings defaults() {
        return new JwksSettings(
                Duration.ofSeconds(2),
                Duration.ofSeconds(3),
                DataSize.ofKilobytes(512),
                Duration.ofMinutes(15),
                Duration.ofMinutes(1),
                Duration.ofSeconds(30),
                Duration.ofHours(1),
                Duration.ofSeconds(10));
    }
}
