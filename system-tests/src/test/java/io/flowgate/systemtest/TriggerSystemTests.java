package io.flowgate.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flowgate.devstack.LocalStack;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The polling trigger (docs/triggers.md, PROTOCOL rules 17-23) against the real stack: events
 * published through the API, the event index in Kafka Streams, polls as the Logic Apps engine makes
 * them. Each test has a tenant of its own, so its events are its own.
 */
class TriggerSystemTests {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Duration WITHIN = Duration.ofSeconds(30);
    /** The engine's wait, compressed: the stack's poll interval is 1 s, a test waits at most this. */
    static final Duration WAIT_CAP = Duration.ofMillis(100);

    private static LocalStack stack;
    private static WebTestClient api;

    @BeforeAll
    static void startStack() {
        stack = SharedStack.get();
        api = Http.testClient(stack.apiUrl());
    }

    static URI pollUrl(String trigger, String query) {
        return URI.create(SharedStack.get().apiUrl() + "/api/v1/triggers/" + trigger + "/poll"
                + (query.isEmpty() ? "" : "?" + query));
    }

    /** See {@link TestTenant#publish}. */
    static List<String> publish(TestTenant tenant, int count, int burst, String type) {
        return tenant.publish(count, burst, type);
    }

    static PollingTriggerClient.Answer poll(TestTenant tenant, URI url) {
        return PollingTriggerClient.get(tenant.flows(), url);
    }

    /** The first poll's answer, checked against rule 17; answers its Location. */
    static URI firstPoll(TestTenant tenant, String trigger, String query) {
        var first = poll(tenant, pollUrl(trigger, query));
        assertThat(first.status()).as(first.body()).isEqualTo(202);
        assertThat(first.retryAfter()).isPositive();
        assertThat(first.location().toString())
                .startsWith(SharedStack.get().apiUrl() + "/api/v1/triggers/" + trigger + "/poll?")
                .contains("triggerState=");
        return first.location();
    }

    /** Waits until the event index holds what was published (a poll of a fresh start sees it). */
    static void awaitIndexed(TestTenant tenant, URI from, int count) {
        await().atMost(WITHIN).until(() -> {
            var answer = poll(tenant, URI.create(from + "&mode=batch&maxItems=100"));
            return answer.status() == 200 && answer.json().get("value").size() >= count;
        });
    }

    @Test
    void theCatalogListsBothTriggersWithTheirFiltersAndItemSchemas() {
        TestTenant tenant = TestTenant.fresh();
        JsonNode catalog = JSON.readTree(api.get()
                .uri("/api/v1/triggers")
                .headers(h -> h.setBearerAuth(tenant.flows()))
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody());
        assertThat(catalog.get("value").findValuesAsString("name")).contains("event-received", "job-completed");
        for (JsonNode trigger : catalog.get("value")) {
            assertThat(trigger.get("summary").asString()).isNotBlank();
            assertThat(trigger.get("description").asString()).isNotBlank();
            assertThat(trigger.get("itemSchema").get("type").asString()).isEqualTo("object");
            assertThat(trigger.get("itemSchema").get("properties").has("eventId"))
                    .isTrue();
        }
        JsonNode jobCompleted = catalog.get("value").get(1);
        assertThat(jobCompleted.get("parameters").findValuesAsString("name"))
                .containsExactly("operation", "outcome", "condition");
        api.get()
                .uri("/api/v1/triggers/no-such-trigger/poll")
                .headers(h -> h.setBearerAuth(tenant.flows()))
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody()
                .jsonPath("$.type")
                .isEqualTo("urn:flowgate:problem:trigger-not-found");
    }

    @Test
    void theFirstPollStartsFromNowAndNeverFiresOnHistory() {
        TestTenant tenant = TestTenant.fresh();
        URI start = firstPoll(tenant, "event-received", "");
        publish(tenant, 3, 3, "history");
        awaitIndexed(tenant, start, 3);

        // A trigger added now starts after those three: its first poll is a 202, and so is the next.
        URI later = firstPoll(tenant, "event-received", "");
        var next = poll(tenant, later);
        assertThat(next.status()).isEqualTo(202);
        assertThat(next.location()).as("nothing new: the same state").isEqualTo(later);
        assertThat(next.retryAfter()).isPositive();
    }

    @Test
    void newEventsFireOneByOneInOrderAndAReplayedLocationGivesTheSameAnswer() {
        TestTenant tenant = TestTenant.fresh();
        URI start = firstPoll(tenant, "event-received", "");
        List<String> ids = publish(tenant, 3, 3, "order.created");
        awaitIndexed(tenant, start, 3);

        var first = poll(tenant, start);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.retryAfter()).as("more are waiting").isZero();
        assertThat(first.json().get("type").asString()).isEqualTo("order.created");
        var replay = poll(tenant, start);
        assertThat(replay.status()).isEqualTo(200);
        assertThat(replay.body()).isEqualTo(first.body());
        assertThat(replay.location()).isEqualTo(first.location());

        var second = poll(tenant, first.location());
        var third = poll(tenant, second.location());
        assertThat(second.retryAfter()).isZero();
        assertThat(third.status()).isEqualTo(200);
        assertThat(third.retryAfter()).as("nothing more waits").isPositive();
        assertThat(List.of(first, second, third))
                .extracting(a -> a.json().get("eventId").asString())
                .containsExactlyInAnyOrderElementsOf(ids)
                .doesNotHaveDuplicates();
        var after = poll(tenant, third.location());
        assertThat(after.status()).isEqualTo(202);
        assertThat(after.location()).isEqualTo(third.location());
    }

    @Test
    void batchModeWrapsTheItemsInValueAndCapsThemAtMaxItems() {
        TestTenant tenant = TestTenant.fresh();
        URI begin = firstPoll(tenant, "event-received", "");
        publish(tenant, 6, 6, "batch");
        awaitIndexed(tenant, begin, 6);
        // The mode is the poll's, not the state's: the same state reads in batches too.
        var full = poll(tenant, URI.create(begin + "&mode=batch&maxItems=4"));
        assertThat(full.status()).isEqualTo(200);
        assertThat(full.location().toString()).contains("mode=batch", "maxItems=4");
        assertThat(full.json().isObject()).isTrue();
        assertThat(full.json().get("value")).hasSize(4);
        assertThat(full.retryAfter()).isZero();
        var rest = poll(tenant, full.location());
        assertThat(rest.json().get("value")).hasSize(2);
        assertThat(rest.retryAfter()).isPositive();
    }

    @Test
    void filtersAreAppliedByTheServer() {
        TestTenant tenant = TestTenant.fresh();
        URI start = firstPoll(tenant, "event-received", "type=wanted");
        publish(tenant, 2, 2, "unwanted");
        List<String> wanted = publish(tenant, 1, 1, "wanted");
        publish(tenant, 2, 2, "unwanted");
        var client = new PollingTriggerClient(tenant::flows, start, WAIT_CAP);
        List<JsonNode> fired = client.fire(1, WITHIN, () -> {});
        assertThat(fired).extracting(item -> item.get("eventId").asString()).containsExactlyElementsOf(wanted);

        for (String query : List.of("colour=red", "type=has%20space", "type=a&type=b", "mode=both", "maxItems=3")) {
            var answer = poll(tenant, pollUrl("event-received", query));
            assertThat(answer.status()).as(query).isEqualTo(400);
            assertThat(answer.json().get("title").asString()).as(query).isNotBlank();
        }
        assertThat(poll(tenant, pollUrl("job-completed", "outcome=exploded")).status())
                .isEqualTo(400);
    }

    @Test
    void aConditionFiresOnlyForTheItemsItIsTrueForAndIsPartOfTheState() {
        TestTenant tenant = TestTenant.fresh();
        String query = "type=cond&condition=" + encode("data.n >= 3 and data.n % 2 = 1");
        URI start = firstPoll(tenant, "event-received", query);
        List<String> ids = publish(tenant, 8, 1, "cond"); // data.n = 0..7, in order: 3, 5 and 7 pass
        var client = new PollingTriggerClient(tenant::flows, start, WAIT_CAP);
        List<JsonNode> fired = client.fire(3, WITHIN, () -> {});
        assertThat(fired).extracting(item -> item.get("data").get("n").asInt()).containsExactly(3, 5, 7);
        assertThat(fired)
                .extracting(item -> item.get("eventId").asString())
                .containsExactly(ids.get(3), ids.get(5), ids.get(7));

        // The state was sealed with the condition: with another condition it is not accepted.
        String state = client.next().getRawQuery().replaceAll(".*triggerState=", "");
        var other = poll(
                tenant, pollUrl("event-received", "type=cond&condition=" + encode("true") + "&triggerState=" + state));
        assertThat(other.status()).isEqualTo(400);
        assertThat(other.json().get("type").asString()).isEqualTo("urn:flowgate:problem:invalid-trigger-state");
    }

    @Test
    void aConditionThatFailsOnAnItemHoldsBackThatItemOnly() {
        TestTenant tenant = TestTenant.fresh();
        // $number of a string that is no number fails; data.n = 1 gets past the 'or' without it.
        URI start =
                firstPoll(tenant, "event-received", "condition=" + encode("data.n = 1 or $number('x' & data.n) > 0"));
        URI unfiltered = firstPoll(tenant, "event-received", "");
        publish(tenant, 3, 1, "fails");
        awaitIndexed(tenant, unfiltered, 3);
        var client = new PollingTriggerClient(tenant::flows, start, WAIT_CAP);
        assertThat(client.fire(1, WITHIN, () -> {}))
                .extracting(item -> item.get("data").get("n").asInt())
                .containsExactly(1);
        var after = poll(tenant, client.next());
        assertThat(after.status()).as("nothing else fires").isEqualTo(202);
    }

    @Test
    void anUnusableConditionIsRefusedWithTheReason() {
        TestTenant tenant = TestTenant.fresh();
        for (String condition : List.of("data.n >", " ", "x".repeat(2001), "true)), (false")) {
            var answer = poll(tenant, pollUrl("event-received", "condition=" + encode(condition)));
            assertThat(answer.status()).as(condition).isEqualTo(400);
            assertThat(answer.json().get("type").asString()).isEqualTo("urn:flowgate:problem:invalid-trigger-filter");
            assertThat(answer.json().get("detail").asString()).as(condition).contains("'condition'");
        }
    }

    private static String encode(String text) {
        return java.net.URLEncoder.encode(text, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void aStateIsBoundToItsTenantTriggerAndFilterAndCannotBeForged() {
        TestTenant owner = TestTenant.fresh();
        TestTenant other = TestTenant.fresh();
        URI start = firstPoll(owner, "event-received", "type=a");
        String state = start.getRawQuery().replaceAll(".*triggerState=", "");

        List<URI> refused = List.of(
                // the same URL, another tenant
                start,
                // another filter, another trigger
                pollUrl("event-received", "type=b&triggerState=" + state),
                pollUrl("job-completed", "triggerState=" + state),
                // tampered: another offset, garbage
                pollUrl("event-received", "type=a&triggerState=" + state.replaceFirst("\\.(-?\\d+)\\.", ".999.")),
                pollUrl("event-received", "type=a&triggerState=not-a-state"));
        for (int i = 0; i < refused.size(); i++) {
            TestTenant caller = i == 0 ? other : owner;
            var answer = poll(caller, refused.get(i));
            assertThat(answer.status()).as(refused.get(i).toString()).isEqualTo(400);
            assertThat(answer.json().get("type").asString()).isEqualTo("urn:flowgate:problem:invalid-trigger-state");
        }
        assertThat(poll(owner, start).status()).isEqualTo(202);
    }

    @Test
    void aJobCompletedEventFiresOnceWithTheJobsOutcome() {
        TestTenant tenant = TestTenant.fresh();
        URI start = firstPoll(tenant, "job-completed", "operation=jsonata-transform&outcome=succeeded");
        var done = Jobs.submit(api, tenant.flows(), "jsonata-transform", "{\"expression\":\"1+1\",\"document\":{}}");
        assertThat(done.getStatus().value()).as(done.getResponseBody()).isEqualTo(200);
        JsonNode result = JSON.readTree(done.getResponseBody());
        var other = Jobs.submit(api, tenant.flows(), "delay", "{\"seconds\":0}");
        assertThat(other.getStatus().value()).as(other.getResponseBody()).isEqualTo(200);

        var client = new PollingTriggerClient(tenant::flows, start, WAIT_CAP);
        List<JsonNode> fired = client.fire(1, WITHIN, () -> {});
        assertThat(fired).hasSize(1);
        JsonNode item = fired.getFirst();
        assertThat(item.get("status").asString()).isEqualTo("succeeded");
        assertThat(item.get("operation").asString()).isEqualTo("jsonata-transform");
        assertThat(item.get("result")).isEqualTo(result);
        assertThat(item.get("eventId").asString()).isEqualTo(item.get("jobId").asString());
        var again = poll(tenant, client.next());
        assertThat(again.status())
                .as("the delay job does not pass the filter; nothing fires twice")
                .isEqualTo(202);
    }

    @Test
    void aThousandEventsInBurstsFireExactlyOnceInOrderAcrossAnApiRestart() {
        TestTenant tenant = TestTenant.fresh();
        URI start = firstPoll(tenant, "event-received", "");
        List<String> published = publish(tenant, 1000, 50, "burst");
        var client = new PollingTriggerClient(() -> tenant.flows(), start, WAIT_CAP);
        List<JsonNode> fired = new ArrayList<>(client.fire(400, Duration.ofSeconds(120), () -> {}));
        assertThat(fired).hasSize(400);
        stack.stopApi();
        stack.startApi();
        fired.addAll(client.fire(1000 - fired.size(), Duration.ofSeconds(120), () -> {}));

        List<String> firedIds =
                fired.stream().map(item -> item.get("eventId").asString()).toList();
        assertThat(firedIds).doesNotHaveDuplicates().hasSize(1000).containsExactlyInAnyOrderElementsOf(published);
        // In order: every burst fired after the one before it (within a burst the 50 were sent at once,
        // so Kafka's order of them is the only order there is).
        for (int burst = 0; burst < 1000; burst += 50) {
            assertThat(firedIds.subList(burst, burst + 50))
                    .containsExactlyInAnyOrderElementsOf(published.subList(burst, burst + 50));
        }
        assertThat(poll(tenant, client.next()).status()).isEqualTo(202);
    }
}
