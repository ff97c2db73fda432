package io.flowgate.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flowgate.devstack.LocalStack;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The webhook trigger (docs/triggers.md, PROTOCOL rules 24-26): subscriptions to a trigger, events
 * fanned out by the callback-dispatcher to real HTTP receivers, unsubscribe and gone receivers. Each
 * test has a tenant and a receiver of its own.
 */
class WebhookTriggerSystemTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration WITHIN = Duration.ofSeconds(60);
    private static final String FANOUT_GROUP = "flowgate-dispatcher-fanout";
    private static final String DISPATCHER_GROUP = "flowgate-dispatcher";
    private static final String CALLBACK_TOPICS = "flowgate\\.callbacks\\.(v1|retry-.*)";

    private static LocalStack stack;
    private static WebTestClient api;
    private final Receiver receiver = new Receiver();

    @BeforeAll
    static void startStack() {
        stack = SharedStack.get();
        api = Http.testClient(stack.apiUrl());
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    static EntityExchangeResult<String> subscribe(TestTenant tenant, String trigger, String query, String body) {
        return api.post()
                .uri(URI.create(stack.apiUrl() + "/api/v1/triggers/" + trigger + "/subscriptions"
                        + (query.isEmpty() ? "" : "?" + query)))
                .headers(h -> h.setBearerAuth(tenant.flows()))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .expectBody(String.class)
                .returnResult();
    }

    /** Subscribes {@code callbackUrl}, checks the 201 and its absolute Location; answers the Location. */
    static URI subscribed(TestTenant tenant, String trigger, String query, String callbackUrl) {
        var result =
                subscribe(tenant, trigger, query, "{\"callbackUrl\":" + JSON.writeValueAsString(callbackUrl) + "}");
        assertThat(result.getStatus().value()).as(result.getResponseBody()).isEqualTo(201);
        URI location = result.getResponseHeaders().getLocation();
        assertThat(location.toString()).startsWith(stack.apiUrl() + "/api/v1/subscriptions/");
        return location;
    }

    /** Waits until the fan-out and the dispatcher have dealt with every event and callback written so far. */
    static void awaitAllDealtWith() {
        KafkaProbe.awaitConsumed(stack, FANOUT_GROUP, "flowgate\\.events\\.v1", WITHIN);
        KafkaProbe.awaitConsumed(stack, DISPATCHER_GROUP, CALLBACK_TOPICS, WITHIN);
    }

    @Test
    void anEventReachesTheSubscriberSignedAndShapedAsTheTriggersItem() throws Exception {
        TestTenant tenant = TestTenant.fresh();
        String path = Subscriptions.unique("trigger");
        URI location = subscribed(tenant, "event-received", "type=order.created", receiver.url(path, "sig"));

        // The engine subscribes again on every save: the same subscription.
        assertThat(subscribed(tenant, "event-received", "type=order.created", receiver.url(path, "sig")))
                .isEqualTo(location);
        JsonNode shown = Subscriptions.json(
                Subscriptions.get(tenant.flows(), location.getRawPath()).getResponseBody());
        assertThat(shown.get("kind").asString()).isEqualTo("trigger");
        assertThat(shown.get("trigger").asString()).isEqualTo("event-received");
        assertThat(shown.get("filter").get("type").asString()).isEqualTo("order.created");

        tenant.publish(1, 1, "order.shipped");
        String eventId = tenant.publish(1, 1, "order.created").getFirst();
        Receiver.Call call = receiver.await(path, 1, WITHIN).getFirst();
        JsonNode item = JSON.readTree(call.body());
        assertThat(item.get("eventId").asString()).isEqualTo(eventId);
        assertThat(item.get("type").asString()).isEqualTo("order.created");
        assertThat(item.get("data").get("n").asInt()).isZero();
        assertThat(call.header("webhook-id")).startsWith("msg_");
        Subscriptions.verifySignature(Subscriptions.secretOf(tenant.flows()), call);

        awaitAllDealtWith();
        assertThat(receiver.calls(path))
                .as("the filtered-out event is not sent")
                .hasSize(1);
    }

    @Test
    void aSubscriptionWithAConditionIsCalledOnlyForTheItemsItIsTrueFor() {
        TestTenant tenant = TestTenant.fresh();
        String matching = Subscriptions.unique("cond");
        String failing = Subscriptions.unique("cond-fails");
        String condition = java.net.URLEncoder.encode("data.n > 0", java.nio.charset.StandardCharsets.UTF_8);
        String fails = java.net.URLEncoder.encode("$number('x') > 0", java.nio.charset.StandardCharsets.UTF_8);
        URI location = subscribed(tenant, "event-received", "condition=" + condition, receiver.url(matching, "x"));
        subscribed(tenant, "event-received", "condition=" + fails, receiver.url(failing, "x"));
        assertThat(Subscriptions.json(Subscriptions.get(tenant.flows(), location.getRawPath())
                                .getResponseBody())
                        .get("filter")
                        .get("condition")
                        .asString())
                .isEqualTo("data.n > 0");

        tenant.publish(3, 1, "counted"); // data.n = 0, 1, 2
        receiver.await(matching, 2, WITHIN);
        awaitAllDealtWith();
        assertThat(receiver.calls(matching))
                .extracting(
                        call -> JSON.readTree(call.body()).get("data").get("n").asInt())
                .containsExactlyInAnyOrder(1, 2);
        assertThat(receiver.calls(failing))
                .as("a condition that fails holds its items back")
                .isEmpty();
    }

    @Test
    void oneEventFansOutToTwoHundredSubscriptionsOfItsTenantAndNoneOfAnother() {
        TestTenant tenant = TestTenant.fresh();
        TestTenant other = TestTenant.fresh();
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String path = Subscriptions.unique("fan-" + i);
            paths.add(path);
            subscribed(tenant, "event-received", "", receiver.url(path, "x"));
        }
        String otherPath = Subscriptions.unique("fan-other");
        subscribed(other, "event-received", "", receiver.url(otherPath, "x"));

        String eventId = tenant.publish(1, 1, "fan.out").getFirst();
        await().atMost(WITHIN)
                .until(() -> paths.stream().allMatch(p -> !receiver.calls(p).isEmpty()));
        awaitAllDealtWith();
        Set<String> webhookIds = new java.util.HashSet<>();
        for (String path : paths) {
            List<Receiver.Call> calls = receiver.calls(path);
            assertThat(calls).as(path).hasSize(1);
            assertThat(JSON.readTree(calls.getFirst().body()).get("eventId").asString())
                    .isEqualTo(eventId);
            webhookIds.add(calls.getFirst().header("webhook-id"));
        }
        assertThat(webhookIds).as("one delivery id per subscription").hasSize(200);
        assertThat(receiver.calls(otherPath)).isEmpty();
    }

    @Test
    void aReceiverAnswering410IsMarkedGoneAndGetsNoFurtherEvents() {
        TestTenant tenant = TestTenant.fresh();
        String path = Subscriptions.unique("gone");
        receiver.script(path, 410);
        URI location = subscribed(tenant, "event-received", "", receiver.url(path, "x"));
        tenant.publish(1, 1, "first");
        receiver.await(path, 1, WITHIN);
        await().atMost(WITHIN)
                .until(() -> Subscriptions.json(Subscriptions.get(tenant.flows(), location.getRawPath())
                                .getResponseBody())
                        .get("state")
                        .asString()
                        .equals("gone"));

        tenant.publish(3, 3, "later");
        awaitAllDealtWith();
        assertThat(receiver.calls(path)).hasSize(1);
        assertThat(Subscriptions.delete(tenant.flows(), location.getRawPath())).isEqualTo(204);
        assertThat(Subscriptions.get(tenant.flows(), location.getRawPath())
                        .getStatus()
                        .value())
                .isEqualTo(404);
    }

    @Test
    void retriesOfOneEventKeepTheirWebhookIdAndStopWhenTheSubscriptionIsRemoved() {
        TestTenant tenant = TestTenant.fresh();
        String flaky = Subscriptions.unique("flaky");
        receiver.script(flaky, 503, 200);
        subscribed(tenant, "event-received", "", receiver.url(flaky, "x"));
        String failing = Subscriptions.unique("failing");
        receiver.script(failing, 500);
        URI removed = subscribed(tenant, "event-received", "", receiver.url(failing, "x"));

        tenant.publish(1, 1, "retried");
        List<Receiver.Call> calls = receiver.await(flaky, 2, WITHIN);
        assertThat(calls)
                .extracting(c -> c.header("webhook-id"))
                .containsOnly(calls.getFirst().header("webhook-id"));
        receiver.await(failing, 1, WITHIN);

        assertThat(Subscriptions.delete(tenant.flows(), removed.getRawPath())).isEqualTo(204);
        int seen = receiver.calls(failing).size();
        tenant.publish(1, 1, "after-unsubscribe");
        receiver.await(flaky, 3, WITHIN);
        awaitAllDealtWith();
        assertThat(receiver.calls(failing))
                .as("no attempt starts after the DELETE answered")
                .hasSize(seen);
        assertThat(Subscriptions.delete(tenant.flows(), removed.getRawPath())).isEqualTo(204);
    }

    @Test
    void aJobCompletedSubscriptionHearsOfItsTenantsFinishedJobs() {
        TestTenant tenant = TestTenant.fresh();
        String path = Subscriptions.unique("jobs");
        subscribed(tenant, "job-completed", "operation=jsonata-transform", receiver.url(path, "x"));
        var done = Jobs.submit(api, tenant.flows(), "jsonata-transform", "{\"expression\":\"2*21\",\"document\":{}}");
        assertThat(done.getStatus().value()).isEqualTo(200);
        JsonNode item = JSON.readTree(receiver.await(path, 1, WITHIN).getFirst().body());
        assertThat(item.get("status").asString()).isEqualTo("succeeded");
        assertThat(item.get("result")).isEqualTo(JSON.readTree(done.getResponseBody()));
    }

    @Test
    void triggerSubscriptionsCountAgainstTheQuotaAndOffboardingPurgesThem() {
        TestTenant tenant = TestTenant.registered("{\"plan\":\"local\",\"quotas\":{\"subscriptions\":1}}");
        String path = Subscriptions.unique("quota-trigger");
        URI location = subscribed(tenant, "event-received", "", receiver.url(path, "x"));
        var refused = subscribe(
                tenant,
                "job-completed",
                "",
                "{\"callbackUrl\":\"" + receiver.url(Subscriptions.unique("quota-trigger"), "x") + "\"}");
        assertThat(refused.getStatus().value()).isEqualTo(429);
        assertThat(JSON.readTree(refused.getResponseBody()).get("type").asString())
                .isEqualTo("urn:flowgate:problem:quota-exceeded");
        tenant.publish(1, 1, "before.offboarding");
        receiver.await(path, 1, WITHIN);

        var purge = new Admin(stack)
                .offboard(tenant.id())
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult();
        JsonNode purged = JSON.readTree(purge.getResponseBody()).get("purged");
        assertThat(purged.get("subscriptions").asInt()).isEqualTo(1);
        assertThat(purged.get("eventStreams").asInt()).isEqualTo(2);
        String id = location.getPath().substring(location.getPath().lastIndexOf('/') + 1);
        assertThat(KafkaProbe.latest(stack, io.flowgate.contracts.Topics.SUBSCRIPTIONS, List.of(id))
                        .get(id))
                .isEmpty();
    }

    @Test
    void badSubscribesGetProblemsAndCreateNothing() {
        TestTenant tenant = TestTenant.fresh();
        String ok = receiver.url("/bad", "x");
        record Case(String trigger, String query, String body, int status, String type) {}
        List<Case> cases = List.of(
                new Case("nope", "", "{\"callbackUrl\":\"" + ok + "\"}", 404, "trigger-not-found"),
                new Case(
                        "event-received",
                        "colour=red",
                        "{\"callbackUrl\":\"" + ok + "\"}",
                        400,
                        "invalid-trigger-filter"),
                new Case(
                        "job-completed",
                        "outcome=maybe",
                        "{\"callbackUrl\":\"" + ok + "\"}",
                        400,
                        "invalid-trigger-filter"),
                new Case(
                        "event-received",
                        "condition=data.n%20%3E",
                        "{\"callbackUrl\":\"" + ok + "\"}",
                        400,
                        "invalid-trigger-filter"),
                new Case(
                        "event-received",
                        "",
                        "{\"callbackUrl\":\"" + ok + "\",\"input\":{}}",
                        400,
                        "invalid-subscription"),
                new Case("event-received", "", "{}", 400, "invalid-subscription"),
                new Case(
                        "event-received",
                        "",
                        "{\"callbackUrl\":\"http://169.254.169.254/latest\"}",
                        400,
                        "callback-url-not-allowed"));
        long before = KafkaProbe.written(stack, io.flowgate.contracts.Topics.SUBSCRIPTIONS);
        for (Case c : cases) {
            var result = subscribe(tenant, c.trigger(), c.query(), c.body());
            assertThat(result.getStatus().value()).as(c.toString()).isEqualTo(c.status());
            assertThat(JSON.readTree(result.getResponseBody()).get("type").asString())
                    .as(c.toString())
                    .isEqualTo("urn:flowgate:problem:" + c.type());
        }
        assertThat(KafkaProbe.written(stack, io.flowgate.contracts.Topics.SUBSCRIPTIONS))
                .isEqualTo(before);
    }
}
