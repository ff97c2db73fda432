package io.flowgate.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowgate.contracts.Topics;
import io.flowgate.contracts.TriggerEvent;
import io.flowgate.devstack.LocalStack;
import io.flowgate.issuer.DemoTenants;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /api/v1/events}: a tenant's own service publishes events with an app-only token that
 * carries the events app role; the events land in {@code flowgate.events} under the tenant's key.
 */
class EventIngestionSystemTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static LocalStack stack;
    private static WebTestClient api;
    private static String service;

    @BeforeAll
    static void startStack() {
        stack = SharedStack.get();
        api = Http.testClient(stack.apiUrl());
        service = Tokens.fetch(stack, DemoTenants.CONTOSO_EVENTS_CLIENT);
    }

    private static EntityExchangeResult<String> publish(String token, String body) {
        return api.post()
                .uri("/api/v1/events")
                .headers(h -> h.setBearerAuth(token))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .expectBody(String.class)
                .returnResult();
    }

    private static Optional<TriggerEvent> latest(String tenant) {
        String key = Topics.eventKey(tenant, "event-received");
        return KafkaProbe.latest(stack, Topics.EVENTS, List.of(key)).getOrDefault(key, Optional.empty());
    }

    @Test
    void aServiceWithTheEventsRolePublishesAnEventDurably() {
        String marker = UUID.randomUUID().toString();
        var result = publish(service, "{\"type\":\"order.created\",\"data\":{\"order\":\"" + marker + "\"}}");

        assertThat(result.getStatus().value()).isEqualTo(202);
        JsonNode answer = JSON.readTree(result.getResponseBody());
        TriggerEvent stored = latest(DemoTenants.CONTOSO).orElseThrow();
        assertThat(stored.eventId()).isEqualTo(answer.get("eventId").asString());
        assertThat(stored.tenantId()).isEqualTo(DemoTenants.CONTOSO);
        assertThat(stored.eventType()).isEqualTo("order.created");
        assertThat(stored.data().get("order").asString()).isEqualTo(marker);
    }

    @Test
    void theSameClientIdGivesTheSameEventId() {
        String body = "{\"type\":\"order.paid\",\"id\":\"order-42-paid\",\"occurredAt\":\"2026-11-23T07:00:00Z\","
                + "\"data\":{}}";
        String first = JSON.readTree(publish(service, body).getResponseBody())
                .get("eventId")
                .asString();
        String again = JSON.readTree(publish(service, body).getResponseBody())
                .get("eventId")
                .asString();
        assertThat(again).isEqualTo(first);
        assertThat(latest(DemoTenants.CONTOSO).orElseThrow().occurredAt()).hasToString("2026-11-23T07:00:00Z");
    }

    @Test
    void aDelegatedTokenWithoutTheRoleIsRefusedAndWritesNothing() {
        // A tenant of its own: other tests' jobs write job-completed events to the topic meanwhile.
        TestTenant tenant = TestTenant.fresh();
        String flows = tenant.flows();
        api.post()
                .uri("/api/v1/events")
                .headers(h -> h.setBearerAuth(flows))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"type\":\"order.created\",\"data\":{}}")
                .exchange()
                .expectStatus()
                .isForbidden()
                .expectHeader()
                .value("WWW-Authenticate", v -> assertThat(v).contains("insufficient_scope"));
        assertThat(latest(tenant.id())).isEmpty();
    }

    @Test
    void offboardingTombstonesTheTenantsEventStreams() {
        String tenant = Tokens.newTenantId();
        Admin admin = new Admin(stack);
        admin.register(tenant, "{\"plan\":\"local\"}");
        String token = Tokens.forTenant(stack, tenant, "Flowgate.Events");
        assertThat(publish(token, "{\"type\":\"a\",\"data\":{}}").getStatus().value())
                .isEqualTo(202);
        assertThat(latest(tenant)).isPresent();

        JsonNode offboarded = JSON.readTree(admin.offboard(tenant)
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody());
        assertThat(offboarded.get("purged").get("eventStreams").asInt()).isEqualTo(2);
        assertThat(latest(tenant)).isEmpty();
        assertThat(publish(token, "{\"type\":\"a\",\"data\":{}}").getStatus().value())
                .isEqualTo(403);
    }

    @Test
    void badEventsGetProblemsAndWriteNothing() {
        TestTenant tenant = TestTenant.fresh();
        for (String body : List.of(
                "[]",
                "{\"data\":{}}",
                "{\"type\":\"\",\"data\":{}}",
                "{\"type\":\"has space\",\"data\":{}}",
                "{\"type\":\"order.created\"}",
                "{\"type\":\"order.created\",\"data\":[1]}",
                "{\"type\":\"order.created\",\"data\":{},\"occurredAt\":\"yesterday\"}",
                "{\"type\":\"order.created\",\"data\":{},\"id\":\"\"}",
                "{\"type\":\"order.created\",\"data\":{},\"extra\":1}")) {
            var result = publish(tenant.events(), body);
            assertThat(result.getStatus().value()).as(body).isEqualTo(400);
            assertThat(JSON.readTree(result.getResponseBody()).get("type").asString())
                    .as(body)
                    .isEqualTo("urn:flowgate:problem:invalid-event");
        }
        assertThat(latest(tenant.id())).isEmpty();
    }
}
