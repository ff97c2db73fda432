package io.flowgate.api.security;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import reactor.core.publisher.Mono;

/**
 * Remembers tokens that passed every check, so a token used again is not parsed and verified again.
 * Logic Apps and Power Automate send one access token with every call of a connection for up to its
 * hour; verifying its RS256 signature and parsing its claims cost more than the rest of an accept.
 *
 * <p>Keyed by the SHA-256 of the token, so the map holds no bearer token as a key; an entry expires
 * at the token's own {@code exp} (never later, whatever the clock skew tolerance) or after {@code
 * maxAge}, whichever is first, so a signing key withdrawn from the JWKS stops being trusted within
 * {@code maxAge}. At most {@code maxTokens} entries (least recently used go first). Only successes
 * are kept: a refused token is checked again every time, and concurrent first uses of one token
 * share one verification. Checks that depend on the tenant's state (suspended, quotas) run on every
 * request after this ({@code TenantGate}), never from the cache.
 *
 * <p>Metrics: Caffeine's cache meters with {@code cache="flowgate.api.tokens"} (hits, misses,
 * evictions, size).
 */
public final class VerifiedTokenCache implements ReactiveJwtDecoder {

    private final ReactiveJwtDecoder verifier;
    private final AsyncCache<String, Jwt> verified;

    /**
     * @param verifier the full check (signature, issuer, audience, times)
     * @param maxTokens most tokens remembered
     * @param maxAge longest a token is remembered
     */
    public VerifiedTokenCache(
            ReactiveJwtDecoder verifier, long maxTokens, Duration maxAge, Clock clock, Ticker ticker) {
        this.verifier = verifier;
        this.verified = Caffeine.newBuilder()
                .maximumSize(maxTokens)
                .ticker(ticker)
                .expireAfter(new UntilExpiry(maxAge, clock))
                .recordStats()
                .buildAsync();
    }

    /** Publishes the cache's meters. */
    public VerifiedTokenCache bindTo(MeterRegistry meters) {
        CaffeineCacheMetrics.monitor(meters, verified, "flowgate.api.tokens");
        return this;
    }

    @Override
    public Mono<Jwt> decode(String token) {
        // The future is shared by every concurrent use of the token: a caller that goes away must not
        // cancel it for the others (suppressCancel).
        return Mono.fromFuture(
                () -> verified.get(
                        hash(token), (key, executor) -> verifier.decode(token).toFuture()),
                true);
    }

    private static String hash(String token) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** An entry lives until its token's {@code exp}, and at most {@code maxAge}. */
    private record UntilExpiry(Duration maxAge, Clock clock) implements Expiry<String, Jwt> {

        @Override
        public long expireAfterCreate(String key, Jwt jwt, long currentTime) {
            Instant expiresAt = jwt.getExpiresAt();
            Duration left = expiresAt == null ? Duration.ZERO : Duration.between(clock.instant(), expiresAt);
            if (left.isNegative()) {
                return 0;
            }
            return (left.compareTo(maxAge) < 0 ? left : maxAge).toNanos();
        }

        @Override
        public long expireAfterUpdate(String key, Jwt jwt, long currentTime, long currentDuration) {
            return currentDuration;
        }

        @Override
        public long expireAfterRead(String key, Jwt jwt, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
