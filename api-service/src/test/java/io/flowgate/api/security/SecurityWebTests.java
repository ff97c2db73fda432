package io.flowgate.api.security;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.when;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.sun.net.httpserver.HttpServer;
import io.flowgate.api.config.ApiProperties;
import io.flowgate.api.problem.ProblemWriter;
import io.flowgate.api.tenant.TenantProperties;
import io.flowgate.api.tenant.TenantRegistry;
import io.flowgate.contracts.TenantQuotas;
import io.flowgate.contracts.TenantRegistration;
import io.flowgate.contracts.TenantStatus;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The API's security chain over HTTP, in seconds: real RS256 tokens checked against a real JWKS
 * endpoint (a JDK HTTP server the test can take down), answered by a probe controller. What each
 * refusal looks like on the wire is checked here; the system suite checks it against the real stack.
 */
@WebFluxTest(
        controllers = SecurityWebTests.Probe.class,
        properties = {
            "flowgate.api.id-secret=slice-test-id-secret-0123456789abcdef",
            "flowgate.api.public-base-url=https://flowgate.example"
        })
@Import({SecurityConfig.class, ProblemWriter.class, SecurityWebTests.Beans.class, SecurityWebTests.Probe.class})
class SecurityWebTests {

    private static final String TID = "11111111-1111-4111-8111-111111111111";
    private static final String OPERATOR_TID = "99999999-9999-4999-8999-999999999999";
    private static final String AUTHORITY = "https://login.example";
    private static final RSAKey KEY = TestKeys.newKey();
    private static final HttpServer JWKS = startJwks();

    @Autowired
    WebTestClient http;

    @MockitoBean
    TenantRegistry registry;

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry settings) {
        settings.add("flowgate.security.authority", () -> AUTHORITY);
        settings.add(
                "flowgate.security.jwks-uri",
                () -> "http://127.0.0.1:" + JWKS.getAddress().getPort() + "/keys");
        settings.add("flowgate.tenants.operator-tenant-id", () -> OPERATOR_TID);
    }

    @AfterAll
    static void stopJwks() {
        JWKS.stop(0);
    }

    @BeforeEach
    void activeTenant() {
        activeTenants(registry);
    }

    /** Every tenant is registered and active, with room to spare. */
    static void activeTenants(TenantRegistry registry) {
        var quotas = new TenantQuotas(100, 100, 10, 10, 1_000_000L);
        when(registry.find(anyString()))
                .thenAnswer(call -> Optional.of(new TenantRegistration(
                        call.getArgument(0),
                        TenantStatus.ACTIVE,
                        "standard",
                        quotas,
                        Instant.now(),
                        Instant.now(),
                        "test")));
        when(registry.quotasOf(any(TenantRegistration.class))).thenReturn(quotas);
    }

    @Test
    void aValidTokenWithTheScopeReachesTheApi() {
        http.get()
                .uri("/api/v1/probe")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + token(TID, c -> {}))
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .isEqualTo(TID);
    }

    @Test
    void noTokenIs401WithABearerChallengeAndAProblem() {
        http.get()
                .uri("/api/v1/probe")
                .exchange()
                .expectStatus()
                .isUnauthorized()
                .expectHeader()
                .valueMatches(HttpHeaders.WWW_AUTHENTICATE, "^Bearer.*")
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type")
                .isEqualTo("urn:flowgate:problem:unauthorized");
    }

    @Test
    void badTokensAre401WithInvalidToken() {
        List<String> refused = List.of(
                token(TID, c -> c.expirationTime(null)),
                token(TID, c -> c.expirationTime(Date.from(Instant.now().minusSeconds(3600)))),
                token(TID, c -> c.audience("api://someone-else")),
                token(TID, c -> c.issuer(AUTHORITY + "/" + OPERATOR_TID + "/v2.0")),
                token(TID, c -> {}).replaceFirst("\\.[^.]+$", ".c2lnbmF0dXJl"),
                "not-a-jwt");
        for (String token : refused) {
            http.get()
                    .uri("/api/v1/probe")
                    .header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                    .exchange()
                    .expectStatus()
                    .isUnauthorized()
                    .expectHeader()
                    .valueMatches(HttpHeaders.WWW_AUTHENTICATE, ".*error=\"invalid_token\".*");
        }
    }

    @Test
    void aTokenWithoutTheScopeIs403() {
        http.get()
                .uri("/api/v1/probe")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + token(TID, c -> c.claim("scp", "other")))
                .exchange()
                .expectStatus()
                .isForbidden()
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void adminNeedsTheOperatorRoleInTheOperatorsTenant() {
        http.get()
                .uri("/admin/probe")
                .header(
                        HttpHeaders.AUTHORIZATION,
                        "Bearer " + token(OPERATOR_TID, c -> c.claim("roles", List.of("Flowgate.Operator"))))
                .exchange()
                .expectStatus()
                .isOk();
        http.get()
                .uri("/admin/probe")
                .header(
                        HttpHeaders.AUTHORIZATION,
                        "Bearer " + token(TID, c -> c.claim("roles", List.of("Flowgate.Operator"))))
                .exchange()
                .expectStatus()
                .isForbidden();
    }

    static String token(String tid, Consumer<JWTClaimsSet.Builder> adjust) {
        return token(KEY, tid, adjust);
    }

    private static String token(RSAKey key, String tid, Consumer<JWTClaimsSet.Builder> adjust) {
        var claims = new JWTClaimsSet.Builder()
                .issuer(AUTHORITY + "/" + tid + "/v2.0")
                .audience("api://flowgate")
                .claim("tid", tid)
                .claim("scp", "user_impersonation")
                .issueTime(new Date())
                .expirationTime(Date.from(Instant.now().plusSeconds(600)));
        adjust.accept(claims);
        return TestKeys.sign(key, claims.build());
    }

    private static HttpServer startJwks() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
            server.createContext("/keys", exchange -> {
                byte[] body = new JWKSet(KEY.toPublicJWK()).toString(true).getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @RestController
    static class Probe {

        @GetMapping({"/api/v1/probe", "/admin/probe"})
        String tenant(@AuthenticationPrincipal Jwt jwt) {
            return jwt.getClaimAsString("tid");
        }
    }

    /** What the security chain and the tenant gate need, and nothing that reads Kafka. */
    @TestConfiguration
    @EnableConfigurationProperties({ApiProperties.class, SecurityProperties.class, TenantProperties.class})
    @ComponentScan(
            basePackageClasses = TenantProperties.class,
            useDefaultFilters = false,
            includeFilters =
                    @ComponentScan.Filter(
                            type = FilterType.REGEX,
                            pattern = ".*\\.(RequestRateLimiter|TenantRefusals)"))
    static class Beans {

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }
}
