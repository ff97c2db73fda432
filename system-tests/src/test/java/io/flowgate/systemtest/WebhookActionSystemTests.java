package io.flowgate.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flowgate.contracts.CallbackDeadLettered;
import io.flowgate.contracts.Topics;
import io.flowgate.devstack.LocalStack;
import io.flowgate.issuer.DemoTenants;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The webhook action (docs/callbacks.md) end to end: subscribe over HTTP, the job runs, the
 * dispatcher calls a real HTTP receiver back. The stack's retry schedule is shortened to 200, 400 and
 * 800 ms (4 attempts) and its response timeout to 2 s (see {@link SharedStack}).
 */
class WebhookActionSystemTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SUM = """
            {"expression":"$sum(items.price)","document":{"items":[{"price":2},{"price":3.5}]}}""";
    private static final Duration WITHIN = Duration.ofSeconds(30);
    private static final String DISPATCHER_GROUP = "flowgate-dispatcher";
    /** flowgate.callbacks.v1 and its retry tiers (not the dead letters: the dispatcher does not read those). */
    private static final String CALLBACK_TOPICS = "flowgate\\.callbacks\\.(v1|retry-.*)";

    private static LocalStack stack;
    private static WebTestClient api;
    private static String contoso;
    private static String fabrikam;
    /** A receiver of its own per test: its own port, so its own circuit breaker in the dispatcher. */
    private final Receiver receiver = new Receiver();

    @BeforeAll
    static void startStack() {
        stack = SharedStack.get();
        api = Http.testClient(stack.apiUrl());
        contoso = Tokens.fetch(stack, DemoTenants.CONTOSO_CLIENT);
        fabrikam = Tokens.fetch(stack, DemoTenants.FABRIKAM_CLIENT);
        await().atMost(Duration.ofSeconds(60)).until(() -> Catalog.catalogHas(api, contoso));
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    @Test
    void subscribeRunsTheJobAndCallsBackOnceWithASignedResult() throws Exception {
        String path = Subscriptions.unique("ok");
        String sig = "s3cret-" + UUID.randomUUID();
        var result = Subscriptions.subscribe(contoso, "jsonata-transform", receiver.url(path, sig), SUM);

        assertThat(result.getStatus().value()).isEqualTo(201);
        URI location = result.getResponseHeaders().getLocation();
        assertThat(location.toString()).startsWith(stack.apiUrl() + "/api/v1/subscriptions/");
        JsonNode created = Subscriptions.json(result.getResponseBody());
        assertThat(location.getPath())
                .endsWith("/" + created.get("subscriptionId").asString());
        assertThat(result.getResponseBody()).doesNotContain(sig).doesNotContain(path);

        Receiver.Call call = receiver.await(path, 1, WITHIN).getFirst();
        JsonNode payload = Subscriptions.json(call.body());
        assertThat(payload.get("status").asString()).isEqualTo("succeeded");
        assertThat(payload.get("jobId").asString())
                .isEqualTo(created.get("jobId").asString());
        assertThat(payload.get("result").get("result").asDouble()).isEqualTo(5.5);
        assertThat(call.query()).contains("sig=" + sig);
        assertThat(call.header("webhook-id")).startsWith("msg_");
        assertThat(call.header("content-type")).startsWith("application/json");
        assertThat(call.header("content-length"))
                .isEqualTo(Integer.toString(call.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length));
        assertThat(call.header("transfer-encoding")).isNull();
        assertThat(call.header("x-ms-workflow-run-id")).isEqualTo("run-jsonata-transform");
        assertThat(call.header("authorization")).isNull();
        Subscriptions.verifySignature(Subscriptions.secretOf(contoso), call);

        await().atMost(WITHIN)
                .until(() ->
                        Subscriptions.deliveries(contoso, location.getPath()).size() == 1);
        JsonNode attempt = Subscriptions.deliveries(contoso, location.getPath()).getFirst();
        assertThat(attempt.get("outcome").asString()).isEqualTo("delivered");
        assertThat(attempt.get("statusCode").asInt()).isEqualTo(200);
        assertThat(attempt.get("attempt").asInt()).isEqualTo(1);
        KafkaProbe.awaitConsumed(stack, DISPATCHER_GROUP, CALLBACK_TOPICS, WITHIN);
        assertThat(receiver.calls(path)).as("called back once").hasSize(1);

        var read = Subscriptions.get(contoso, location.getPath());
        assertThat(read.getStatus().value()).isEqualTo(200);
        assertThat(read.getResponseBody()).doesNotContain(sig).doesNotContain(path);
        assertThat(Subscriptions.json(read.getResponseBody()).get("state").asString())
                .isEqualTo("active");
        assertThat(Subscriptions.json(read.getResponseBody())
                        .get("lastDelivery")
                        .get("outcome")
                        .asString())
                .isEqualTo("delivered");
    }

    @Test
    void aFailedJobIsReportedInTheCallbackPayload() {
        String path = Subscriptions.unique("failed");
        // Valid input (the schema accepts it), and an expression that fails when it runs.
        Subscriptions.subscribed(contoso, "jsonata-transform", receiver.url(path, "x"), """
                {"expression":"$error('no total for this order')","document":{}}""");

        JsonNode payload =
                Subscriptions.json(receiver.await(path, 1, WITHIN).getFirst().body());
        assertThat(payload.get("status").asString()).isEqualTo("failed");
        assertThat(payload.has("result")).isFalse();
        assertThat(payload.path("error").toString()).contains("no total for this order");
    }

    @Test
    void subscribeIsIdempotentPerCallbackUrl() {
        String url = receiver.url(Subscriptions.unique("same"), "x");
        String first = Subscriptions.subscribed(contoso, "jsonata-transform", url, SUM);
        String again = Subscriptions.subscribed(contoso, "jsonata-transform", url, SUM);
        assertThat(again).isEqualTo(first);
    }

    @Test
    void aReceiverFailingThreeTimesGetsTheSameWebhookIdUntilItAccepts() throws Exception {
        String path = Subscriptions.unique("flaky");
        receiver.script(path, 500, 503, 502, 200);
        String subscription = Subscriptions.subscribed(contoso, "jsonata-transform", receiver.url(path, "x"), SUM);

        List<Receiver.Call> calls = receiver.await(path, 4, WITHIN);
        assertThat(calls)
                .extracting(c -> c.header("webhook-id"))
                .containsOnly(calls.getFirst().header("webhook-id"));
        assertThat(calls)
                .extracting(Receiver.Call::body)
                .containsOnly(calls.getFirst().body());
        String secret = Subscriptions.secretOf(contoso);
        for (Receiver.Call call : calls) {
            Subscriptions.verifySignature(secret, call);
        }
        await().atMost(WITHIN)
                .until(() -> Subscriptions.deliveries(contoso, subscription).size() == 4);
        List<JsonNode> log = Subscriptions.deliveries(contoso, subscription);
        assertThat(log)
                .extracting(a -> a.get("outcome").asString())
                .containsExactly("delivered", "retrying", "retrying", "retrying");
        assertThat(log).extracting(a -> a.get("attempt").asInt()).containsExactly(4, 3, 2, 1);
        assertThat(log.get(1).get("statusCode").asInt()).isEqualTo(502);
        assertThat(log.get(1).has("nextAttemptAt")).isTrue();
    }

    @Test
    void retryAfterOnA429IsHonoured() {
        String path = Subscriptions.unique("throttled");
        receiver.script(path, new Receiver.Reply(429, Map.of("Retry-After", "2")), new Receiver.Reply(200, Map.of()));
        Subscriptions.subscribed(contoso, "jsonata-transform", receiver.url(path, "x"), SUM);

        List<Receiver.Call> calls = receiver.await(path, 2, WITHIN);
        // The schedule alone would retry after about 200 ms.
        assertThat(Duration.between(calls.get(0).at(), calls.get(1).at()))
                .isGreaterThanOrEqualTo(Duration.ofMillis(1900));
    }

    @Test
    void a410MarksTheSubscriptionGoneAndStopsTheAttempts() {
        String path = Subscriptions.unique("gone");
        receiver.script(path, 410);
        String subscription = Subscriptions.subscribed(contoso, "jsonata-transform", receiver.url(path, "x"), SUM);

        receiver.await(path, 1, WITHIN);
        await().atMost(WITHIN)
                .until(() -> "gone"
                        .equals(Subscriptions.json(
                                        Subscriptions.get(contoso, subscription).getResponseBody())
                                .get("state")
                                .asString()));
        // Every callback record written so far, retries included, has been dealt with: had a retry
        // been scheduled, it would have been attempted before its offset was committed.
        KafkaProbe.awaitConsumed(stack, DISPATCHER_GROUP, CALLBACK_TOPICS, WITHIN);
        assertThat(receiver.calls(path)).hasSize(1);
        List<JsonNode> log = Subscriptions.deliveries(contoso, subscription);
        assertThat(log).extracting(a -> a.get("outcome").asString()).containsExactly("gone");
        assertThat(log.getFirst().has("nextAttemptAt")).isFalse();
    }

    @Test
    void anotherClientErrorIsAPermanentFailureRecordedWithItsReason() {
        String path = Subscriptions.unique("refused");
        receiver.script(path, 400);
        String subscription = Subscriptions.subscribed(contoso, "jsonata-transform", receiver.url(path, "x"), SUM);

        await().atMost(WITHIN)
                .until(() -> Subscriptions.deliveries(contoso, subscription).size() == 1);
        JsonNode attempt = Subscriptions.deliveries(contoso, subscription).getFirst();
        assertThat(attempt.get("outcome").asString()).isEqualTo("dead_lettered");
        assertThat(attempt.get("error").asString()).contains("400");
        assertThat(attempt.has("nextAttemptAt")).isFalse();
        KafkaProbe.awaitConsumed(stack, DISPATCHER_GROUP, CALLBACK_TOPICS, WITHIN);
        assertThat(receiver.calls(path)).hasSize(1);
    }

    @Test
    void aHangingReceiverTimesOutUntilTheCallbackIsDeadLettered() {
        String path = Subscriptions.unique("hang");
        receiver.script(path, Receiver.HANG);
        String subscription = Subscriptions.subscribed(contoso, "jsonata-transform", receiver.url(path, "x"), SUM);
        String subscriptionId = subscription.substring(subscription.lastIndexOf('/') + 1);

        await().atMost(Duration.ofSeconds(60))
                .until(() -> Subscriptions.deliveries(contoso, subscription).size() == 4);
        List<JsonNode> log = Subscriptions.deliveries(contoso, subscription);
        assertThat(log.getFirst().get("outcome").asString()).isEqualTo("dead_lettered");
        assertThat(log.getFirst().get("error").asString()).contains("attempts exhausted (4)");
        assertThat(log.subList(1, 4)).allMatch(a -> a.get("outcome").asString().equals("retrying"));
        assertThat(receiver.calls(path)).hasSize(4);

        Optional<CallbackDeadLettered> dead = KafkaProbe.latest(
                        stack, Topics.CALLBACK_DEAD_LETTERS, List.of(subscriptionId))
                .get(subscriptionId);
        assertThat(dead).isPresent();
        assertThat(dead.get().reason()).contains("attempts exhausted");
        assertThat(dead.get().callback().attempts()).isEqualTo(3);
    }

    @Test
    void aReceiverThatKeepsFailingOpensItsCircuitAndIsLeftAlone() {
        String path = Subscriptions.unique("broken");
        receiver.script(path, 500);
        List<String> subscriptions = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            subscriptions.add(
                    Subscriptions.subscribed(contoso, "jsonata-transform", receiver.url(path + "/" + i, "x"), SUM));
        }

        // 4 callbacks of 4 attempts: after 10 failures in a row the circuit opens, and the attempts
        // after that are recorded without a call reaching the receiver.
        await().atMost(Duration.ofSeconds(60))
                .until(() -> subscriptions.stream()
                        .allMatch(s -> Subscriptions.deliveries(contoso, s).size() == 4));
        List<JsonNode> all = subscriptions.stream()
                .flatMap(s -> Subscriptions.deliveries(contoso, s).stream())
                .toList();
        long circuitOpen = all.stream()
                .filter(a -> a.get("error").asString().contains("circuit open"))
                .count();
        assertThat(circuitOpen).isPositive();
        long reached = subscriptions.stream().count() * 4 - circuitOpen;
        int calls = 0;
        for (int i = 0; i < 4; i++) {
            calls += receiver.calls(path + "/" + i).size();
        }
        assertThat(calls).isEqualTo(reached);
    }

    @Test
    void theOperatorListsAndRedrivesDeadLetters() {
        String path = Subscriptions.unique("redrive");
        receiver.script(path, 400, 200);
        String subscription = Subscriptions.subscribed(contoso, "jsonata-transform", receiver.url(path, "x"), SUM);
        String id = subscription.substring(subscription.lastIndexOf('/') + 1);
        await().atMost(WITHIN)
                .until(() -> Subscriptions.deliveries(contoso, subscription).size() == 1);

        Admin admin = new Admin(stack);
        JsonNode listed = Subscriptions.json(admin.getPath("/admin/v1/dead-letters?subscriptionId=" + id)
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody());
        assertThat(listed.get("total").asInt()).isEqualTo(1);
        assertThat(listed.get("value").get(0).get("reason").asString()).contains("400");
        assertThat(listed.get("value").get(0).get("lastStatusCode").asInt()).isEqualTo(400);

        admin.postJson("/admin/v1/dead-letters/redrive", "{}")
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.type")
                .isEqualTo("urn:flowgate:problem:invalid-dead-letter-selection");
        api.post()
                .uri("/admin/v1/dead-letters/redrive")
                .headers(h -> h.setBearerAuth(contoso))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"subscriptionId\":\"" + id + "\"}")
                .exchange()
                .expectStatus()
                .isForbidden();
        admin.postJson("/admin/v1/dead-letters/redrive", "{\"subscriptionId\":\"" + id + "\"}")
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.redriven")
                .isEqualTo(1);

        List<Receiver.Call> calls = receiver.await(path, 2, WITHIN);
        assertThat(calls.get(1).header("webhook-id")).isEqualTo(calls.get(0).header("webhook-id"));
        await().atMost(WITHIN)
                .until(() -> Subscriptions.deliveries(contoso, subscription).size() == 2);
        assertThat(Subscriptions.deliveries(contoso, subscription)
                        .getFirst()
                        .get("outcome")
                        .asString())
                .isEqualTo("delivered");
    }

    @Test
    void unsubscribeWhileRetriesArePendingStopsEveryFurtherAttempt() {
        String path = Subscriptions.unique("unsubscribed");
        receiver.script(path, 500);
        String subscription = Subscriptions.subscribed(contoso, "jsonata-transform", receiver.url(path, "x"), SUM);
        receiver.await(path, 1, WITHIN);

        assertThat(Subscriptions.delete(contoso, subscription)).isEqualTo(204);
        int seen = receiver.calls(path).size();
        // The pending retry was read and dropped: every callback record is dealt with, and no call came.
        KafkaProbe.awaitConsumed(stack, DISPATCHER_GROUP, CALLBACK_TOPICS, WITHIN);
        assertThat(receiver.calls(path)).hasSize(seen);
        assertThat(seen).isLessThanOrEqualTo(2); // at most an attempt that had started before the answer
        assertThat(Subscriptions.get(contoso, subscription).getStatus().value()).isEqualTo(404);
        assertThat(Subscriptions.delete(contoso, subscription)).isEqualTo(204);
    }

    @Test
    void unsubscribeCancelsTheJobWhileItStillRunsAndNoCallbackFollows() {
        String path = Subscriptions.unique("cancelled");
        var result = Subscriptions.subscribe(contoso, "delay", receiver.url(path, "x"), "{\"seconds\":30}");
        assertThat(result.getStatus().value()).isEqualTo(201);
        String subscription =
                Subscriptions.path(result.getResponseHeaders().getLocation().toString());
        String jobId = Subscriptions.json(result.getResponseBody()).get("jobId").asString();

        assertThat(Subscriptions.delete(contoso, subscription)).isEqualTo(204);
        await().atMost(WITHIN)
                .until(() -> Subscriptions.get(contoso, "/api/v1/jobs/" + jobId)
                                .getStatus()
                                .value()
                        == 409);
        // The cancelled job's callback was written, and the dispatcher has dealt with it (dropped,
        // the subscription being gone): it never reached the receiver.
        String subscriptionId = subscription.substring(subscription.lastIndexOf('/') + 1);
        await().atMost(WITHIN)
                .until(() -> KafkaProbe.latest(stack, Topics.CALLBACKS, List.of(subscriptionId))
                        .getOrDefault(subscriptionId, Optional.empty())
                        .isPresent());
        KafkaProbe.awaitConsumed(stack, DISPATCHER_GROUP, CALLBACK_TOPICS, WITHIN);
        assertThat(receiver.calls(path)).isEmpty();
    }

    @Test
    void pendingCallbacksAndScheduledRetriesSurviveADispatcherRestart() {
        String flaky = Subscriptions.unique("restart-retry");
        receiver.script(flaky, 500, 200);
        Subscriptions.subscribed(contoso, "jsonata-transform", receiver.url(flaky, "x"), SUM);
        receiver.await(flaky, 1, WITHIN);

        stack.stopDispatcher();
        String waiting = Subscriptions.unique("restart-new");
        java.time.Instant restarted;
        try {
            String waitingSubscription =
                    Subscriptions.subscribed(contoso, "jsonata-transform", receiver.url(waiting, "x"), SUM);
            // The job ends and its callback waits in Kafka while no dispatcher runs.
            String id = waitingSubscription.substring(waitingSubscription.lastIndexOf('/') + 1);
            await().atMost(WITHIN)
                    .until(() -> KafkaProbe.latest(stack, Topics.CALLBACKS, List.of(id))
                            .getOrDefault(id, Optional.empty())
                            .isPresent());
        } finally {
            restarted = java.time.Instant.now();
            stack.startDispatcher();
        }
        receiver.await(flaky, 2, WITHIN);
        assertThat(receiver.await(waiting, 1, WITHIN).getFirst().at())
                .as("delivered by the restarted dispatcher")
                .isAfterOrEqualTo(restarted);
        assertThat(receiver.calls(flaky).get(1).header("webhook-id"))
                .isEqualTo(receiver.calls(flaky).get(0).header("webhook-id"));
    }

    @Test
    void anotherTenantsSubscriptionIsAnsweredLikeOneThatDoesNotExist() {
        String path = Subscriptions.unique("isolated");
        String subscription = Subscriptions.subscribed(contoso, "jsonata-transform", receiver.url(path, "x"), SUM);

        var missing = Subscriptions.get(fabrikam, "/api/v1/subscriptions/AAAAAAAAAAAAAAAAAAAAAA");
        var foreign = Subscriptions.get(fabrikam, subscription);
        assertThat(foreign.getStatus().value())
                .isEqualTo(404)
                .isEqualTo(missing.getStatus().value());
        for (String field : List.of("type", "title", "status", "detail")) {
            assertThat(Subscriptions.json(foreign.getResponseBody()).get(field))
                    .isEqualTo(Subscriptions.json(missing.getResponseBody()).get(field));
        }
        assertThat(Subscriptions.get(fabrikam, subscription + "/deliveries")
                        .getStatus()
                        .value())
                .isEqualTo(404);
        assertThat(Subscriptions.delete(fabrikam, subscription)).isEqualTo(204);
        assertThat(Subscriptions.get(contoso, subscription).getStatus().value()).isEqualTo(200);
    }

    @Test
    void badSubscribeRequestsGetProblemsAndWriteNothing() {
        long before = KafkaProbe.written(stack, Topics.SUBSCRIPTIONS, Topics.JOBS);
        String ok = receiver.url(Subscriptions.unique("never"), "x");
        record Case(String operation, String body, int status, String type) {}
        List<Case> cases = List.of(
                new Case("jsonata-transform", "{\"input\":{}}", 400, "invalid-subscription"),
                new Case("jsonata-transform", "[1]", 400, "invalid-subscription"),
                new Case("jsonata-transform", "{\"callbackUrl\":42}", 400, "invalid-subscription"),
                new Case(
                        "jsonata-transform",
                        "{\"callbackUrl\":\"" + ok + "\",\"extra\":1}",
                        400,
                        "invalid-subscription"),
                new Case(
                        "jsonata-transform",
                        "{\"callbackUrl\":\"https://evil.example.com/cb\",\"input\":" + SUM + "}",
                        400,
                        "callback-url-not-allowed"),
                new Case(
                        "jsonata-transform",
                        "{\"callbackUrl\":\"http://169.254.169.254/latest\",\"input\":" + SUM + "}",
                        400,
                        "callback-url-not-allowed"),
                new Case(
                        "jsonata-transform",
                        "{\"callbackUrl\":\"http://10.0.0.1/cb\",\"input\":" + SUM + "}",
                        400,
                        "callback-url-not-allowed"),
                new Case(
                        "jsonata-transform",
                        "{\"callbackUrl\":\"http://[::1]:8080/cb\",\"input\":" + SUM + "}",
                        400,
                        "callback-url-not-allowed"),
                new Case(
                        "jsonata-transform",
                        "{\"callbackUrl\":\"http://localhost:8080/cb\",\"input\":" + SUM + "}",
                        400,
                        "callback-url-not-allowed"),
                new Case(
                        "jsonata-transform",
                        "{\"callbackUrl\":\"ftp://127.0.0.1/cb\",\"input\":" + SUM + "}",
                        400,
                        "callback-url-not-allowed"),
                new Case(
                        "no-such-operation",
                        "{\"callbackUrl\":\"" + ok + "\",\"input\":{}}",
                        404,
                        "operation-not-found"),
                new Case(
                        "jsonata-transform",
                        "{\"callbackUrl\":\"" + ok + "\",\"input\":{\"expression\":1}}",
                        400,
                        "invalid-input"));
        for (Case c : cases) {
            var result = api.post()
                    .uri("/api/v1/operations/{operation}/subscriptions", c.operation())
                    .headers(h -> h.setBearerAuth(contoso))
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(c.body())
                    .exchange()
                    .expectBody(String.class)
                    .returnResult();
            assertThat(result.getStatus().value()).as(c.body()).isEqualTo(c.status());
            assertThat(result.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
            assertThat(Subscriptions.json(result.getResponseBody()).get("type").asString())
                    .as(c.body())
                    .endsWith(c.type());
        }
        assertThat(KafkaProbe.written(stack, Topics.SUBSCRIPTIONS, Topics.JOBS)).isEqualTo(before);
    }

    @Test
    void callbackUrlsAreEncryptedAtRest() {
        String sig = "at-rest-" + UUID.randomUUID();
        String path = Subscriptions.unique("sealed");
        String subscription = Subscriptions.subscribed(contoso, "jsonata-transform", receiver.url(path, sig), SUM);
        String id = subscription.substring(subscription.lastIndexOf('/') + 1);

        byte[] raw = KafkaProbe.rawLatest(stack, Topics.SUBSCRIPTIONS.name(), id);
        String stored = new String(raw, StandardCharsets.UTF_8);
        assertThat(stored).contains(id).doesNotContain(sig).doesNotContain(path);
    }

    @Test
    void theSubscriptionsQuotaIsEnforcedAndFreedByUnsubscribe() {
        String tenant = Tokens.newTenantId();
        new Admin(stack).register(tenant, "{\"plan\":\"local\",\"quotas\":{\"subscriptions\":1}}");
        String token = Tokens.forTenant(stack, tenant);

        String first = Subscriptions.subscribed(
                token, "delay", receiver.url(Subscriptions.unique("quota"), "x"), "{\"seconds\":30}");
        var refused = Subscriptions.subscribe(
                token, "delay", receiver.url(Subscriptions.unique("quota"), "x"), "{\"seconds\":30}");
        assertThat(refused.getStatus().value()).isEqualTo(429);
        assertThat(Subscriptions.json(refused.getResponseBody()).get("type").asString())
                .endsWith("quota-exceeded");
        assertThat(refused.getResponseHeaders().getFirst("Retry-After")).isNotNull();

        assertThat(Subscriptions.delete(token, first)).isEqualTo(204);
        Subscriptions.subscribed(token, "delay", receiver.url(Subscriptions.unique("quota"), "x"), "{\"seconds\":30}");
    }

    @Test
    void aBurstOfSubscribesIsCommittedWholeAndEveryOneCallsBack() throws Exception {
        // Subscribes arriving together share Kafka transactions (group commit): each must still get
        // its own subscription, its own job and exactly its own callback.
        String tenant = Tokens.newTenantId();
        new Admin(stack).register(tenant, "{\"plan\":\"local\"}");
        String token = Tokens.forTenant(stack, tenant);
        List<String> paths = java.util.stream.IntStream.range(0, 20)
                .mapToObj(i -> Subscriptions.unique("burst"))
                .toList();
        Map<String, String> jobOf = new java.util.concurrent.ConcurrentHashMap<>();
        List<java.util.concurrent.Future<?>> subscribes = new ArrayList<>();
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (String path : paths) {
                subscribes.add(threads.submit(() -> {
                    var created = Subscriptions.subscribe(token, "jsonata-transform", receiver.url(path, "x"), SUM);
                    assertThat(created.getStatus().value()).isEqualTo(201);
                    jobOf.put(
                            path,
                            Subscriptions.json(created.getResponseBody())
                                    .get("jobId")
                                    .asString());
                    return null;
                }));
            }
        }
        for (var subscribe : subscribes) {
            subscribe.get(); // an assertion that failed in a task fails the test here
        }
        assertThat(jobOf).hasSize(20);
        for (String path : paths) {
            receiver.await(path, 1, WITHIN);
        }
        // Every callback record is dealt with: a duplicate would have arrived by now.
        KafkaProbe.awaitConsumed(stack, DISPATCHER_GROUP, CALLBACK_TOPICS, WITHIN);
        for (String path : paths) {
            List<Receiver.Call> calls = receiver.calls(path);
            assertThat(calls).hasSize(1);
            assertThat(Subscriptions.json(calls.getFirst().body()).get("jobId").asString())
                    .isEqualTo(jobOf.get(path));
        }
    }

    @Test
    void offboardingPurgesSubscriptionsAndNoLaterCallbackIsDelivered() {
        String tenant = Tokens.newTenantId();
        Admin admin = new Admin(stack);
        admin.register(tenant, "{\"plan\":\"local\"}");
        String token = Tokens.forTenant(stack, tenant);
        String failing = Subscriptions.unique("offboarded-retrying");
        receiver.script(failing, 500);
        String subscription = Subscriptions.subscribed(token, "jsonata-transform", receiver.url(failing, "x"), SUM);
        String later = Subscriptions.unique("offboarded-running");
        Subscriptions.subscribed(token, "delay", receiver.url(later, "x"), "{\"seconds\":3}");
        receiver.await(failing, 1, WITHIN);
        long droppedBefore = droppedJobs();

        var purge = admin.offboard(tenant)
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult();
        assertThat(Subscriptions.json(purge.getResponseBody())
                        .get("purged")
                        .get("subscriptions")
                        .asInt())
                .isEqualTo(2);
        int seen = receiver.calls(failing).size();
        // The running job ended and was dropped (no status, no callback), and every pending retry was
        // dealt with: nothing more reached either receiver.
        await().atMost(WITHIN).until(() -> droppedJobs() > droppedBefore);
        KafkaProbe.awaitConsumed(stack, DISPATCHER_GROUP, CALLBACK_TOPICS, WITHIN);
        assertThat(receiver.calls(failing)).hasSize(seen);
        assertThat(receiver.calls(later)).isEmpty();
        String id = subscription.substring(subscription.lastIndexOf('/') + 1);
        assertThat(KafkaProbe.latest(stack, Topics.SUBSCRIPTIONS, List.of(id)).get(id))
                .isEmpty();
    }

    @Test
    void aTenantWithAHangingReceiverDoesNotDelayAnotherTenantsCallbacks() {
        String noisyTenant = Tokens.newTenantId();
        new Admin(stack).register(noisyTenant, "{\"plan\":\"local\"}");
        String noisy = Tokens.forTenant(stack, noisyTenant);
        String hang = Subscriptions.unique("noisy-hang");
        receiver.script(hang, Receiver.HANG);
        for (int i = 0; i < 12; i++) {
            Subscriptions.subscribed(noisy, "jsonata-transform", receiver.url(hang + "/" + i, "x"), SUM);
        }
        receiver.await(hang + "/0", 1, WITHIN);

        List<Duration> latencies = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String quiet = Subscriptions.unique("quiet");
            Subscriptions.subscribed(fabrikam, "jsonata-transform", receiver.url(quiet, "x"), SUM);
            Receiver.Call call = receiver.await(quiet, 1, WITHIN).getFirst();
            java.time.Instant completed = java.time.Instant.parse(
                    Subscriptions.json(call.body()).get("completedAt").asString());
            latencies.add(Duration.between(completed, call.at()));
        }
        System.out.printf(
                "Quiet tenant beside a hanging one: job end to callback received %s ms%n",
                latencies.stream().map(Duration::toMillis).toList());
        // Waiting behind the noisy tenant would cost at least its receiver's 2 s response timeout.
        assertThat(latencies).allMatch(d -> d.compareTo(Duration.ofSeconds(2)) < 0);
    }

    /** Jobs the worker dropped because their tenant was offboarded (not run, or nothing written at their end). */
    private static long droppedJobs() {
        return stack
                .worker()
                .getBean(io.micrometer.core.instrument.MeterRegistry.class)
                .find("flowgate.worker.jobs")
                .tag("outcome", "dropped")
                .timers()
                .stream()
                .mapToLong(io.micrometer.core.instrument.Timer::count)
                .sum();
    }
}
