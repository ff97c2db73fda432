package io.flowgate.api.security;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.CachingJWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSetBasedJWKSource;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RefreshAheadCachingJWKSetSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.events.Event;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.oauth2.jwt.JwtException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Entra ID's token signing keys (the JWKS), held the way a service that anyone can send tokens to
 * must hold them. Nimbus's {@link JWKSourceBuilder} does the work: the fetch has connect and read
 * timeouts and a size limit; the key set is cached and re-fetched on a schedule ahead of its
 * expiry, so a key Entra withdraws stops being trusted within one {@link JwksSettings#refresh()}
 * interval even with no traffic; an unknown {@code kid} triggers at most one re-fetch per
 * {@link JwksSettings#minRefetchInterval()} (a flood of forged tokens is not a flood of calls to
 * Entra ID); and when Entra cannot be reached the keys last fetched stay in use for
 * {@link JwksSettings#outageTolerance()}.
 *
 * <p>A token whose key is not among the keys at hand is refused (401). When no keys can be had at
 * all, {@link #keysFor} fails with {@link SigningKeysUnavailable}, which the API answers with 503 and
 * {@code Retry-After}: the caller's token may be fine.
 *
 * <p>Only the selection step is written here (Nimbus's own {@code JWKSetBasedJWKSource} does not tell
 * "no keys could be fetched" apart from "the re-fetch for an unknown kid was rate limited").
 */
final class TokenSigningKeys implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TokenSigningKeys.class);

    private final JWKSetSource<SecurityContext> keySets;
    private final long refreshMillis;

    /** The key set the cache last loaded, and until when it may be used without asking the cache. */
    private record Snapshot(JWKSet keys, long validUntilMillis) {}

    private volatile @Nullable Snapshot snapshot;

    TokenSigningKeys(URI jwksUri, JwksSettings settings) {
        var retriever = new DefaultResourceRetriever(
                (int) settings.connectTimeout().toMillis(),
                (int) settings.readTimeout().toMillis(),
                (int) settings.maxSize().toBytes());
        try {
            var source = (JWKSetBasedJWKSource<SecurityContext>) JWKSourceBuilder.<SecurityContext>create(
                            jwksUri.toURL(), retriever)
                    .cache(settings.refresh().toMillis(), settings.readTimeout().toMillis())
                    .refreshAheadCache(settings.refreshAhead().toMillis(), true, this::loaded)
                    .rateLimited(settings.minRefetchInterval().toMillis())
                    .outageTolerant(settings.outageTolerance().toMillis())
                    .retrying(false)
                    .build();
            this.keySets = source.getJWKSetSource();
            this.refreshMillis = settings.refresh().toMillis();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("flowgate.security.jwks-uri is not a URL: " + jwksUri, e);
        }
    }

    /**
     * The keys that may have signed {@code token}: empty when none of the keys at hand (re-fetched
     * at most once per interval) matches its header.
     */
    Flux<JWK> keysFor(SignedJWT token) {
        JWKSelector selector = new JWKSelector(JWKMatcher.forJWSHeader(token.getHeader()));
        // The hot path: the key set the cache loaded last, while it is within its lifetime, read
        // right here (a hand-off to another thread per request costs more than the check itself).
        Snapshot current = snapshot;
        if (current != null && System.currentTimeMillis() < current.validUntilMillis()) {
            List<JWK> keys = selector.select(current.keys());
            if (!keys.isEmpty()) {
                return Flux.fromIterable(keys);
            }
        }
        // The cache is refreshed ahead of expiry, so this seldom waits on the network; when it does
        // (start-up, an unknown kid, an expired cache) it must not wait on an event-loop thread.
        return Mono.fromCallable(() -> select(selector))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMapIterable(keys -> keys);
    }

    private List<JWK> select(JWKSelector selector) {
        long now = System.currentTimeMillis();
        JWKSet atHand;
        try {
            atHand = keySets.getJWKSet(JWKSetCacheRefreshEvaluator.noRefresh(), now, null);
        } catch (KeySourceException e) {
            log.warn("No token signing keys can be had from the JWKS endpoint: {}", e.toString());
            throw new SigningKeysUnavailable(e);
        }
        List<JWK> keys = selector.select(atHand);
        if (!keys.isEmpty()) {
            return keys;
        }
        try {
            return selector.select(
                    keySets.getJWKSet(JWKSetCacheRefreshEvaluator.referenceComparison(atHand), now, null));
        } catch (KeySourceException e) {
            // Rate limited, or the endpoint is down: the keys at hand did not sign this token.
            log.debug("No re-fetch of the signing keys for an unknown kid: {}", e.toString());
            return List.of();
        }
    }

    /** Whether a token signed by a known key is checked without leaving the caller's thread. */
    boolean servesFromMemory() {
        Snapshot current = snapshot;
        return current != null && System.currentTimeMillis() < current.validUntilMillis();
    }

    /** Notes each key set the cache loads (at start, on the schedule, for an unknown kid). */
    private void loaded(Event<CachingJWKSetSource<SecurityContext>, SecurityContext> event) {
        JWKSet keys = null;
        if (event instanceof CachingJWKSetSource.RefreshCompletedEvent<SecurityContext> completed) {
            keys = completed.getJWKSet();
        } else if (event
                instanceof RefreshAheadCachingJWKSetSource.ScheduledRefreshCompletedEvent<SecurityContext> ahead) {
            keys = ahead.getJWKSet();
        }
        if (keys != null) {
            snapshot = new Snapshot(keys, System.currentTimeMillis() + refreshMillis);
        }
    }

    @Override
    public void close() {
        try {
            keySets.close();
        } catch (IOException e) {
            log.debug("Closing the signing key source failed", e);
        }
    }

    /**
     * {@code e} itself, or the {@link SigningKeysUnavailable} it was caused by (Spring wraps the key
     * source's failures).
     */
    static Throwable unavailableCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SigningKeysUnavailable unavailable) {
                return unavailable;
            }
        }
        return e;
    }

    /** No signing keys could be fetched or are cached: a 503 for the caller, not a 401. */
    static final class SigningKeysUnavailable extends JwtException {

        SigningKeysUnavailable(Throwable cause) {
            super("The token signing keys are not available right now", cause);
        }
    }
}
