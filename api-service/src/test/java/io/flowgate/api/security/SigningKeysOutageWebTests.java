package io.flowgate.api.security;

import io.flowgate.api.problem.ProblemWriter;
import io.flowgate.api.tenant.TenantRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * With the JWKS endpoint unreachable from the start, no token can be checked: every authenticated
 * call is answered 503 with {@code Retry-After} (the engine retries), a call without a token still
 * 401.
 */
@WebFluxTest(
        controllers = SecurityWebTests.Probe.class,
        properties = {
            "flowgate.api.id-secret=slice-test-id-secret-0123456789abcdef",
            "flowgate.api.public-base-url=https://flowgate.example"
        })
@Import({SecurityConfig.class, ProblemWriter.class, SecurityWebTests.Beans.class, SecurityWebTests.Probe.class})
class SigningKeysOutageWebTests {

    @Autowired
    WebTestClient http;

    @MockitoBean
    TenantRegistry registry;

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry settings) throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        settings.add("flowgate.security.authority", () -> "https://login.example");
        settings.add("flowgate.security.jwks-uri", () -> "http://127.0.0.1:" + closedPort + "/keys");
        settings.add("flowgate.security.jwks.retry-after", () -> "7s");
    }

    @BeforeEach
    void activeTenant() {
        SecurityWebTests.activeTenants(registry);
    }

    @Test
    void aWellFormedTokenThatCannotBeCheckedIs503WithRetryAfter() {
        for (int i = 0; i < 3; i++) {
            http.get()
                    .uri("/api/v1/probe")
                    .header(
                            HttpHeaders.AUTHORIZATION,
                            "Bearer " + SecurityWebTests.token("11111111-1111-4111-8111-111111111111", c -> {}))
                    .exchange()
                    .expectStatus()
                    .isEqualTo(503)
                    .expectHeader()
                    .valueEquals(HttpHeaders.RETRY_AFTER, "7")
                    .expectHeader()
                    .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody()
                    .jsonPath("$.type")
                    .isEqualTo("urn:flowgate:problem:temporarily-unavailable");
        }
    }

    @Test
    void noTokenIsStill401() {
        http.get().uri("/api/v1/probe").exchange().expectStatus().isUnauthorized();
    }
}
