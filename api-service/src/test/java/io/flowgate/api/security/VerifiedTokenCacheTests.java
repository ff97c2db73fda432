package io.flowgate.api.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import reactor.core.publisher.Mono;

class VerifiedTokenCacheTests {

    private final Instant now = Instant.parse("2026-12-04T12:00:00Z");
    private final Clock clock = Clock.fixed(now, ZoneOffset.UTC);
    private final AtomicLong nanos = new AtomicLong();
    private final AtomicInteger verifications = new AtomicInteger();

    /** Accepts tokens named "good-<seconds to exp>", refuses the rest; counts its work. */
    private final ReactiveJwtDecoder verifier = token -> {
        verifications.incrementAndGet();
        if (!token.startsWith("good-")) {
            return Mono.error(new BadJwtException("refused"));
        }
        long seconds = Long.parseLong(token.substring(5));
        return Mono.just(Jwt.withTokenValue(token)
                .header("alg", "RS256")
                .claim("tid", "t")
                .expiresAt(now.plusSeconds(seconds))
                .build());
    };

    private VerifiedTokenCache cache(Duration maxAge) {
        return new VerifiedTokenCache(verifier, 100, maxAge, clock, nanos::get);
    }

    private void advance(Duration by) {
        nanos.addAndGet(by.toNanos());
    }

    @Test
    void aTokenUsedAgainIsNotVerifiedAgain() {
        var cache = cache(Duration.ofMinutes(5));
        Jwt first = cache.decode("good-3600").block();
        Jwt second = cache.decode("good-3600").block();
        assertThat(second).isSameAs(first);
        assertThat(verifications).hasValue(1);
        cache.decode("good-3601").block();
        assertThat(verifications).as("another token is verified").hasValue(2);
    }

    @Test
    void aRefusedTokenIsRefusedEveryTimeAndNeverRemembered() {
        var cache = cache(Duration.ofMinutes(5));
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> cache.decode("forged").block())
                    .as("the verifier's own exception, which Spring Security answers 401")
                    .isInstanceOf(BadJwtException.class);
        }
        assertThat(verifications).hasValue(2);
    }

    @Test
    void aTokenIsForgottenAtItsExpiryOrAfterTheMaximumAgeWhicheverComesFirst() {
        var cache = cache(Duration.ofMinutes(5));
        cache.decode("good-60").block();
        advance(Duration.ofSeconds(59));
        cache.decode("good-60").block();
        assertThat(verifications).as("still valid: remembered").hasValue(1);
        advance(Duration.ofSeconds(2));
        cache.decode("good-60").block();
        assertThat(verifications)
                .as("past its exp: verified again (and refused there)")
                .hasValue(2);

        cache.decode("good-3600").block();
        advance(Duration.ofMinutes(5).plusSeconds(1));
        cache.decode("good-3600").block();
        assertThat(verifications).as("past the maximum age: verified again").hasValue(4);
    }

    @Test
    void concurrentFirstUsesShareOneVerification() throws Exception {
        var slow = new VerifiedTokenCache(
                token -> verifier.decode(token).delayElement(Duration.ofMillis(200)),
                100,
                Duration.ofMinutes(5),
                clock,
                nanos::get);
        var a = slow.decode("good-3600").toFuture();
        var b = slow.decode("good-3600").toFuture();
        assertThat(a.get(5, TimeUnit.SECONDS)).isSameAs(b.get(5, TimeUnit.SECONDS));
        assertThat(verifications).hasValue(1);
    }

    @Test
    void aCallerThatGoesAwayDoesNotFailTheOthersWaitingForTheSameToken() throws Exception {
        var slow = new VerifiedTokenCache(
                token -> verifier.decode(token).delayElement(Duration.ofMillis(300)),
                100,
                Duration.ofMinutes(5),
                clock,
                nanos::get);
        var leaving = slow.decode("good-3600").subscribe();
        var staying = slow.decode("good-3600").toFuture();
        leaving.dispose();
        assertThat(staying.get(5, TimeUnit.SECONDS).getTokenValue()).isEqualTo("good-3600");
        assertThat(verifications).hasValue(1);
    }
}
