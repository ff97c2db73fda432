package io.flowgate.api.subscription;

import static io.flowgate.api.security.WebSliceSecurity.tenant;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyMap;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.when;

import io.flowgate.api.problem.FlowgateProblem;
import io.flowgate.api.problem.InvalidRequest;
import io.flowgate.api.problem.ProblemTypes;
import io.flowgate.api.security.WebSliceSecurity;
import io.flowgate.api.tenant.TenantRegistry;
import io.flowgate.contracts.DeliveryAttempted;
import io.flowgate.contracts.DeliveryOutcome;
import io.flowgate.contracts.Subscription;
import io.flowgate.contracts.SubscriptionKind;
import io.flowgate.webhooks.SigningKeys;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Mono;

/**
 * The webhook action over HTTP, in seconds: what the {@link SubscriptionService}'s results and
 * refusals look like on the wire. The service is a mock here; the system suite subscribes for real.
 */
@WebFluxTest(controllers = SubscriptionController.class)
@Import(WebSliceSecurity.class)
@TestPropertySource(locations = "classpath:web-slice.properties")
class SubscriptionWebTests {

    private static final String TID = "11111111-1111-4111-8111-111111111111";
    private static final String SUB = "s-0123456789abcdef0123456789abcdef";
    private static final String JOB = "j-0123456789abcdef0123456789abcdef";
    private static final Instant AT = Instant.parse("2026-12-03T10:00:00Z");
    private static final Subscription SUBSCRIPTION = new Subscription(
            TID, SUB, SubscriptionKind.ACTION, "echo", JOB, "sealed", "hooks.example", AT, Map.of(), Map.of());

    @Autowired
    WebTestClient http;

    @MockitoBean
    SubscriptionService subscriptions;

    @MockitoBean
    SigningKeys keys;

    @MockitoBean
    TenantRegistry registry;

    @BeforeEach
    void activeTenants() {
        WebSliceSecurity.activeTenants(registry);
    }

    private static DeliveryAttempted attempt(DeliveryOutcome outcome, Integer status) {
        return new DeliveryAttempted(TID, SUB, "d-1", 2, AT, outcome, status, null, 42, null);
    }

    @Test
    void aSubscribeIs201WithLocationAndTheSubscription() {
        when(subscriptions.subscribe(eq(TID), eq("echo"), any(), anyMap())).thenReturn(Mono.just(SUBSCRIPTION));
        http.mutateWith(tenant(TID))
                .post()
                .uri("/api/v1/operations/echo/subscriptions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"callbackUrl\":\"https://hooks.example/cb\",\"input\":{}}")
                .exchange()
                .expectStatus()
                .isCreated()
                .expectHeader()
                .valueEquals(HttpHeaders.LOCATION, "https://flowgate.example/api/v1/subscriptions/" + SUB)
                .expectBody()
                .jsonPath("$.subscriptionId")
                .isEqualTo(SUB)
                .jsonPath("$.kind")
                .isEqualTo("action")
                .jsonPath("$.jobStatusUrl")
                .isEqualTo("https://flowgate.example/api/v1/jobs/" + JOB)
                .jsonPath("$.state")
                .isEqualTo("active")
                .jsonPath("$.lastDelivery")
                .doesNotExist()
                .jsonPath("$.sealedCallbackUrl")
                .doesNotExist();
    }

    @Test
    void aSubscriptionWhoseReceiverAnswered410IsGoneWithItsLastDelivery() {
        var log =
                DeliveryLog.EMPTY.with(attempt(DeliveryOutcome.RETRYING, 503)).with(attempt(DeliveryOutcome.GONE, 410));
        when(subscriptions.read(TID, SUB)).thenReturn(Mono.just(new SubscriptionService.Report(SUBSCRIPTION, log)));
        http.mutateWith(tenant(TID))
                .get()
                .uri("/api/v1/subscriptions/" + SUB)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.state")
                .isEqualTo("gone")
                .jsonPath("$.lastDelivery.outcome")
                .isEqualTo("gone")
                .jsonPath("$.lastDelivery.statusCode")
                .isEqualTo(410)
                .jsonPath("$.lastDelivery.error")
                .doesNotExist();
    }

    @Test
    void deliveriesAreAValueList() {
        when(subscriptions.deliveries(TID, SUB))
                .thenReturn(Mono.just(List.of(attempt(DeliveryOutcome.DELIVERED, 200))));
        http.mutateWith(tenant(TID))
                .get()
                .uri("/api/v1/subscriptions/" + SUB + "/deliveries")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.value[0].outcome")
                .isEqualTo("delivered")
                .jsonPath("$.value[0].latencyMs")
                .isEqualTo(42);
    }

    @Test
    void anUnknownSubscriptionIs404AndAnUnsubscribeIs204() {
        when(subscriptions.read(eq(TID), anyString())).thenThrow(FlowgateProblem.subscriptionNotFound());
        when(subscriptions.unsubscribe(TID, SUB)).thenReturn(Mono.empty());
        http.mutateWith(tenant(TID))
                .get()
                .uri("/api/v1/subscriptions/" + SUB)
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody()
                .jsonPath("$.type")
                .isEqualTo(ProblemTypes.SUBSCRIPTION_NOT_FOUND);
        http.mutateWith(tenant(TID))
                .delete()
                .uri("/api/v1/subscriptions/" + SUB)
                .exchange()
                .expectStatus()
                .isNoContent();
        Mockito.verify(subscriptions).unsubscribe(TID, SUB);
    }

    @Test
    void aRefusedCallbackUrlIs400WithItsProblemType() {
        when(subscriptions.subscribe(eq(TID), eq("echo"), any(), anyMap()))
                .thenThrow(new InvalidRequest(
                        ProblemTypes.CALLBACK_URL_NOT_ALLOWED, "Callback URL not allowed", "Private address."));
        http.mutateWith(tenant(TID))
                .post()
                .uri("/api/v1/operations/echo/subscriptions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"callbackUrl\":\"http://10.0.0.1/cb\"}")
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type")
                .isEqualTo(ProblemTypes.CALLBACK_URL_NOT_ALLOWED);
    }

    @Test
    void signingSecretsAreTheCallersTenants() {
        when(keys.secretsOf(TID)).thenReturn(List.of(new SigningKeys.TenantSecret("k1", "whsec_abc")));
        http.mutateWith(tenant(TID))
                .get()
                .uri("/api/v1/webhook-signing-secrets")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.value[0].keyId")
                .isEqualTo("k1");
    }
}
