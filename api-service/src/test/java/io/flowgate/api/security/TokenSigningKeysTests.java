package io.flowgate.api.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.util.unit.DataSize;

/**
 * The token decoder against a real JWKS endpoint (a JDK HTTP server) whose keys, answers and
 * speed each test controls, counting the fetches it serves.
 */
class TokenSigningKeysTests {

    private static final String TID = "11111111-1111-4111-8111-111111111111";
    private static final String AUTHORITY = "https://login.example";

    private final RSAKey key = TestKeys.newKey();
    private final AtomicReference<JWKSet> published = new AtomicReference<>(new JWKSet(key.toPublicJWK()));
    private final AtomicInteger fetches = new AtomicInteger();
    private final AtomicInteger failWith = new AtomicInteger();
    private final AtomicReference<Duration> delay = new AtomicReference<>(Duration.ZERO);
    private final HttpServer jwks = startJwks();
    private TokenSigningKeys keys;

    @AfterEach
    void stop() {
        if (keys != null) {
            keys.close();
        }
        jwks.stop(0);
    }

    @Test
    void tokensSignedByAPublishedKeyAreAcceptedWithOneFetch() {
        ReactiveJwtDecoder decoder = decoder(JwksSettings.defaults());
        assertThat(keys.servesFromMemory()).isFalse();
        decoder.decode(token(key, c -> {})).block();
        assertThat(keys.servesFromMemory()).isTrue();
        for (int i = 0; i < 20; i++) {
            Jwt jwt = decoder.decode(token(key, c -> {})).block();
            assertThat(jwt.getClaimAsString("tid")).isEqualTo(TID);
        }
        assertThat(fetches).hasValue(1);
    }

    @Test
    void aFloodOfUnknownKeyIdsDoesNotBecomeAFloodOfFetches() {
        ReactiveJwtDecoder decoder = decoder(JwksSettings.defaults());
        decoder.decode(token(key, c -> {})).block();
        RSAKey forger = TestKeys.newKey();
        for (int i = 0; i < 200; i++) {
            RSAKey forged = new RSAKey.Builder(forger)
                    .keyID(UUID.randomUUID().toString())
                    .build();
            assertThatThrownBy(() -> decoder.decode(token(forged, c -> {})).block())
                    .isInstanceOf(JwtException.class)
                    .isNotInstanceOf(TokenSigningKeys.SigningKeysUnavailable.class);
        }
        // The first fetch, then at most the re-fetches one minimum interval allows.
        assertThat(fetches.get()).isBetween(2, 3);
        assertThat(decoder.decode(token(key, c -> {})).block()).isNotNull();
    }

    @Test
    void aNewKeyIsFetchedWhenATokenNamesIt() {
        ReactiveJwtDecoder decoder = decoder(JwksSettings.defaults());
        decoder.decode(token(key, c -> {})).block();
        RSAKey next = TestKeys.newKey();
        published.set(new JWKSet(List.of(key.toPublicJWK(), next.toPublicJWK())));
        assertThat(decoder.decode(token(next, c -> {})).block()).isNotNull();
        assertThat(fetches).hasValue(2);
    }

    @Test
    void aWithdrawnKeyStopsBeingTrustedAfterTheScheduledRefresh() {
        ReactiveJwtDecoder decoder =
                decoder(settings(Duration.ofMillis(1500), Duration.ofMillis(600), Duration.ofHours(1)));
        decoder.decode(token(key, c -> {})).block();
        RSAKey next = TestKeys.newKey();
        published.set(new JWKSet(next.toPublicJWK()));
        String old = token(key, c -> {});
        // Checking the old token does not fetch (its key is at hand until the scheduled refresh).
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () -> assertThatThrownBy(() -> decoder.decode(old).block())
                                .isInstanceOf(JwtException.class)
                                .isNotInstanceOf(TokenSigningKeys.SigningKeysUnavailable.class));
        assertThat(decoder.decode(token(next, c -> {})).block()).isNotNull();
    }

    @Test
    void withNoKeysAtAllTheAnswerIsUnavailableNotInvalid() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        keys = new TokenSigningKeys(URI.create("http://127.0.0.1:" + closedPort + "/keys"), JwksSettings.defaults());
        ReactiveJwtDecoder decoder = SecurityConfig.decoder(properties(), keys);
        assertThatThrownBy(() -> decoder.decode(token(key, c -> {})).block())
                .isInstanceOf(TokenSigningKeys.SigningKeysUnavailable.class);

        failWith.set(500);
        ReactiveJwtDecoder failing = decoder(JwksSettings.defaults());
        assertThatThrownBy(() -> failing.decode(token(key, c -> {})).block())
                .isInstanceOf(TokenSigningKeys.SigningKeysUnavailable.class);
    }

    @Test
    void aSlowEndpointIsGivenUpOnAfterTheReadTimeout() {
        // Without the timeout this fetch would succeed after 4 s and the token would be accepted.
        delay.set(Duration.ofSeconds(4));
        JwksSettings quick = new JwksSettings(
                Duration.ofMillis(500),
                Duration.ofMillis(300),
                DataSize.ofKilobytes(512),
                Duration.ofMinutes(15),
                Duration.ofMinutes(1),
                Duration.ofSeconds(30),
                Duration.ofHours(1),
                Duration.ofSeconds(10));
        ReactiveJwtDecoder decoder = decoder(quick);
        assertThatThrownBy(() -> decoder.decode(token(key, c -> {})).block())
                .isInstanceOf(TokenSigningKeys.SigningKeysUnavailable.class);
    }

    @Test
    void theLastKeysStayInUseDuringAnOutage() {
        ReactiveJwtDecoder decoder =
                decoder(settings(Duration.ofMillis(1500), Duration.ofMillis(600), Duration.ofHours(1)));
        decoder.decode(token(key, c -> {})).block();
        failWith.set(503);
        Instant expired = Instant.now().plusMillis(1500);
        // Past the keys' lifetime, with the scheduled re-fetch failed.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> fetches.get() >= 2 && Instant.now().isAfter(expired));
        assertThat(decoder.decode(token(key, c -> {})).block()).isNotNull();
    }

    @Test
    void aTokenWithoutExpiryIsRefused() {
        ReactiveJwtDecoder decoder = decoder(JwksSettings.defaults());
        assertThatThrownBy(() ->
                        decoder.decode(token(key, c -> c.expirationTime(null))).block())
                .isInstanceOf(JwtException.class)
                .hasMessageContaining("exp");
    }

    private ReactiveJwtDecoder decoder(JwksSettings settings) {
        keys = new TokenSigningKeys(
                URI.create("http://127.0.0.1:" + jwks.getAddress().getPort() + "/keys"), settings);
        return SecurityConfig.decoder(properties(), keys);
    }

    private static JwksSettings settings(Duration refresh, Duration refreshAhead, Duration outageTolerance) {
        return new JwksSettings(
                Duration.ofMillis(300),
                Duration.ofMillis(300),
                DataSize.ofKilobytes(512),
                refresh,
                refreshAhead,
                Duration.ofMillis(200),
                outageTolerance,
                Duration.ofSeconds(10));
    }

    private static SecurityProperties properties() {
        return new SecurityProperties(
                URI.create(AUTHORITY),
                URI.create("https://sts.example"),
                null,
                List.of("api://flowgate"),
                Duration.ofSeconds(60),
                "user_impersonation",
                DataSize.ofKilobytes(16),
                "Flowgate.Events",
                JwksSettings.defaults(),
                new SecurityProperties.TokenCache(10_000, Duration.ofMinutes(5)));
    }

    private static String token(RSAKey signer, Consumer<JWTClaimsSet.Builder> adjust) {
        var claims = new JWTClaimsSet.Builder()
                .issuer(AUTHORITY + "/" + TID + "/v2.0")
                .audience("api://flowgate")
                .claim("tid", TID)
                .issueTime(new Date())
                .expirationTime(Date.from(Instant.now().plusSeconds(600)));
        adjust.accept(claims);
        return TestKeys.sign(signer, claims.build());
    }

    private HttpServer startJwks() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
            server.createContext("/keys", exchange -> {
                fetches.incrementAndGet();
                try {
                    Thread.sleep(delay.get());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                int status = failWith.get();
                byte[] body = status == 0
                        ? published.get().toString(true).getBytes(StandardCharsets.UTF_8)
                        : "{}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(status == 0 ? 200 : status, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
