package io.flowgate.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flowgate.contracts.Topics;
import io.flowgate.devstack.LocalStack;
import io.flowgate.issuer.DemoTenants;
import io.flowgate.kafka.SkippedRecords;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * No tenant and no bad record stops Flowgate for everyone else: hostile jobs end FAILED with a clear
 * problem, one tenant's backlog does not hold another's job, and unreadable records in any topic are
 * skipped and counted while every service goes on serving. Each test checks both the answer to the
 * tenant at fault and that the other tenant is served meanwhile.
 */
class TenantProofSystemTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static LocalStack stack;
    private static WebTestClient api;
    private static String contoso;
    private static String fabrikam;

    @BeforeAll
    static void startStack() {
        stack = SharedStack.get();
        api = Http.testClient(stack.apiUrl());
        contoso = Tokens.fetch(stack, DemoTenants.CONTOSO_CLIENT);
        fabrikam = Tokens.fetch(stack, DemoTenants.FABRIKAM_CLIENT);
        await().atMost(Duration.ofSeconds(60)).until(() -> Catalog.catalogHas(api, contoso));
    }

    /** Runs a JSONata expression for {@code token} and follows it to its final answer. */
    private static AsyncPatternClient.Answer transform(String token, String expression) {
        var accepted = Jobs.submit(
                api,
                token,
                "jsonata-transform",
                JSON.writeValueAsString(Map.of("expression", expression, "document", Map.of())),
                "Prefer",
                "respond-async");
        assertThat(accepted.getStatus().value()).isEqualTo(202);
        var client = new AsyncPatternClient(token);
        return client.followToCompletion(
                client.get(accepted.getResponseHeaders().getLocation()), Duration.ofSeconds(60));
    }

    private static void quietTenantIsServed() {
        var answer = Jobs.submit(api, fabrikam, "jsonata-transform", "{\"expression\":\"1 + 1\",\"document\":{}}");
        assertThat(answer.getStatus().value()).as(answer.getResponseBody()).isEqualTo(200);
        assertThat(JSON.readTree(answer.getResponseBody()).path("result").asInt())
                .isEqualTo(2);
    }

    @Test
    void aBodyThatWouldMakeARecordLargerThanKafkaAcceptsIs413AndOthersAreServed() throws Exception {
        // Just under the largest body the API and the plan accept (1 MB): with the job's own fields
        // around it, the record is larger than the producer's max.request.size (1 MB).
        int body = 1024 * 1024 - 200;
        String prefix = "{\"expression\":\"1\",\"document\":{\"s\":\"";
        String suffix = "\"}}";
        String input = prefix + "x".repeat(body - prefix.length() - suffix.length()) + suffix;
        assertThat(input.getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSize(body);

        var refused = Jobs.submit(api, contoso, "jsonata-transform", input);
        assertThat(refused.getStatus().value()).as(refused.getResponseBody()).isEqualTo(413);
        JsonNode problem = JSON.readTree(refused.getResponseBody());
        assertThat(problem.path("type").asString()).endsWith("payload-too-large");
        assertThat(problem.path("detail").asString()).contains("larger than this service's Kafka accepts");
        assertThat(refused.getResponseHeaders().getFirst("Retry-After")).isNull();
        quietTenantIsServed();

        // A body over the limit is refused by the API's own body limit, with the same problem type.
        var over = Jobs.submit(api, contoso, "jsonata-transform", prefix + "x".repeat(1024 * 1024) + suffix);
        assertThat(over.getStatus().value()).isEqualTo(413);
        assertThat(JSON.readTree(over.getResponseBody()).path("type").asString())
                .endsWith("payload-too-large");

        // Subscribes share transactions: an oversized one must fail alone, not its batch.
        try (Receiver receiver = new Receiver()) {
            // Again just under 1 MB of body, the callback URL and the input together.
            String bigUrl = receiver.url("/big", "big");
            int envelope = ("{\"callbackUrl\":" + JSON.writeValueAsString(bigUrl) + ",\"input\":}").length();
            String subscribeInput = prefix + "x".repeat(body - envelope - prefix.length() - suffix.length()) + suffix;
            var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
            try (executor) {
                var big = executor.submit(
                        () -> Subscriptions.subscribe(contoso, "jsonata-transform", bigUrl, subscribeInput));
                List<java.util.concurrent.Future<EntityExchangeResult<String>>> small = new java.util.ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    String path = "/small-" + i;
                    small.add(executor.submit(() -> Subscriptions.subscribe(
                            fabrikam, "delay", receiver.url(path, "small"), "{\"seconds\":0}")));
                }
                assertThat(big.get().getStatus().value())
                        .as(big.get().getResponseBody())
                        .isEqualTo(413);
                for (var answer : small) {
                    assertThat(answer.get().getStatus().value())
                            .as(answer.get().getResponseBody())
                            .isEqualTo(201);
                    assertThat(Subscriptions.delete(
                                    fabrikam,
                                    Subscriptions.path(answer.get()
                                            .getResponseHeaders()
                                            .getLocation()
                                            .toString())))
                            .isEqualTo(204);
                }
            }
        }
    }

    @Test
    void concurrentIdenticalSubscribesMakeOneSubscriptionAndOneJob() throws Exception {
        try (Receiver receiver = new Receiver();
                var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            String url = receiver.url("/same-" + Subscriptions.unique("s"), "same");
            List<java.util.concurrent.Future<EntityExchangeResult<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(executor.submit(() -> Subscriptions.subscribe(contoso, "delay", url, "{\"seconds\":1}")));
            }
            java.util.Set<String> subscriptions = new java.util.HashSet<>();
            java.util.Set<String> jobs = new java.util.HashSet<>();
            for (var answer : answers) {
                assertThat(answer.get().getStatus().value())
                        .as(answer.get().getResponseBody())
                        .isEqualTo(201);
                JsonNode body = JSON.readTree(answer.get().getResponseBody());
                subscriptions.add(body.path("subscriptionId").asString());
                jobs.add(body.path("jobId").asString());
            }
            assertThat(subscriptions).hasSize(1);
            assertThat(jobs).hasSize(1);
            assertThat(Subscriptions.delete(
                            contoso,
                            "/api/v1/subscriptions/" + subscriptions.iterator().next()))
                    .isEqualTo(204);
        }
    }

    @Test
    void hostileExpressionsEndWithAClearAnswerAndOthersAreServed() {
        // Backtracking forever on the JDK's engine: linear, and answered, on RE2/J.
        var catastrophic = transform(contoso, "$contains($pad('', 5000, 'a') & 'b', /^(a|aa)+$/)");
        assertThat(catastrophic.status().value()).as(catastrophic.body()).isEqualTo(200);
        assertThat(JSON.readTree(catastrophic.body()).path("result").asBoolean())
                .isFalse();
        quietTenantIsServed();

        // Applied around the linear engine, a backreference, a huge string, $eval: refused, each a 400.
        for (String expression : List.of(
                "/(a+)+$/($pad('', 5000, 'a') & 'b')",
                "$match('aa', /(a)\\1/)",
                "$pad('', 100000000)",
                "$eval('1 + 1')")) {
            var refused = transform(contoso, expression);
            assertThat(refused.status().value())
                    .as(expression + ": " + refused.body())
                    .isEqualTo(400);
            assertThat(JSON.readTree(refused.body()).path("type").asString()).endsWith("invalid-input");
            quietTenantIsServed();
        }
    }

    @Test
    void aFloodOfForgedTokensIsRefusedWithoutAFloodOfKeyFetchesAndOthersAreServed() throws Exception {
        // An API replica of its own: the flood uses up its key re-fetch for the next 30 s, which would
        // hold up another test's legitimately rotated key on the shared replica.
        var replica = stack.startOtherApi(
                stack.bootstrapServers(), Map.of("spring.kafka.streams.application-id", "flowgate-api-forged-flood"));
        try {
            WebTestClient other = Http.testClient("http://127.0.0.1:" + LocalStack.port(replica));
            await().atMost(Duration.ofSeconds(60)).until(() -> Catalog.catalogHas(other, fabrikam));
            // Well-formed RS256 tokens of a real tenant, signed by a key nobody published, each naming
            // a kid of its own: the shape of a forged-token flood.
            var forger = new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(2048).generate();
            String tid = DemoTenants.CONTOSO_CLIENT.tenantId();
            int fetchesBefore = stack.issuer().keyRequests();
            for (int i = 0; i < 100; i++) {
                var claims = new com.nimbusds.jwt.JWTClaimsSet.Builder()
                        .issuer(stack.issuer().issuer(tid))
                        .audience(LocalStack.AUDIENCE)
                        .claim("tid", tid)
                        .claim("scp", "user_impersonation")
                        .expirationTime(
                                java.util.Date.from(java.time.Instant.now().plusSeconds(600)))
                        .build();
                var jwt = new com.nimbusds.jwt.SignedJWT(
                        new com.nimbusds.jose.JWSHeader.Builder(com.nimbusds.jose.JWSAlgorithm.RS256)
                                .keyID("forged-" + java.util.UUID.randomUUID())
                                .build(),
                        claims);
                jwt.sign(new com.nimbusds.jose.crypto.RSASSASigner(forger));
                other.get()
                        .uri("/api/v1/operations")
                        .headers(h -> h.setBearerAuth(jwt.serialize()))
                        .exchange()
                        .expectStatus()
                        .isUnauthorized()
                        .expectHeader()
                        .valueMatches("WWW-Authenticate", ".*invalid_token.*");
            }
            // The key set is fetched again at most once per minimum interval (30 s), not per token.
            assertThat(stack.issuer().keyRequests() - fetchesBefore).isLessThanOrEqualTo(2);
            // Meanwhile a real tenant's token, signed by a key at hand, is served there and here.
            other.get()
                    .uri("/api/v1/operations")
                    .headers(h -> h.setBearerAuth(fabrikam))
                    .exchange()
                    .expectStatus()
                    .isOk();
            quietTenantIsServed();
        } finally {
            replica.close();
        }
    }

    @Test
    void resultsTooDeepOrTooLargeEndTheJobFailedWithA422AndOthersAreServed() {
        // A result nested 300 deep: built step by step, so no evaluation limit stops it first.
        var deep = transform(contoso, "$reduce([1..300], function($acc, $v) { {\"a\": $acc} }, {})");
        assertThat(deep.status().value()).as(deep.body()).isEqualTo(422);
        assertThat(JSON.readTree(deep.body()).path("type").asString()).endsWith("result-too-deep");
        assertThat(JSON.readTree(deep.body()).path("jobStatus").asString()).isEqualTo("FAILED");

        // A result of 700 kB, more than a result may have and close to what Kafka takes.
        var large = transform(contoso, "$join([1..70000].(\"0123456789\"))");
        assertThat(large.status().value()).as(large.body()).isEqualTo(422);
        assertThat(JSON.readTree(large.body()).path("type").asString()).endsWith("result-too-large");

        // A result over Kafka's own record limit is refused just the same, not retried for ever.
        var huge = transform(contoso, "$join([1..150000].(\"0123456789\"))");
        assertThat(huge.status().value()).as(huge.body()).isEqualTo(422);

        quietTenantIsServed();
    }

    @Test
    void oneTenantsBacklogOfSlowJobsDoesNotDelayAnotherTenantsFastJob() {
        int slots = Integer.parseInt(SharedStack.WORKER_SLOTS);
        List<URI> backlog = new ArrayList<>();
        try {
            // Enough slow jobs to take every slot of the worker, were there no per-tenant share.
            for (int i = 0; i < slots + 4; i++) {
                var accepted = Jobs.submit(api, contoso, "delay", "{\"seconds\":30}", "Prefer", "respond-async");
                assertThat(accepted.getStatus().value()).isEqualTo(202);
                backlog.add(accepted.getResponseHeaders().getLocation());
            }
            MeterRegistry worker = stack.worker().getBean(MeterRegistry.class);
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            worker.get("flowgate.worker.jobs.waiting").gauge().value() >= 4);

            // The standard action: answered 200 within its wait budget, not 202 after it.
            quietTenantIsServed();
        } finally {
            backlog.forEach(job ->
                    api.delete().uri(job).headers(h -> h.setBearerAuth(contoso)).exchange());
        }
    }

    @Test
    void unreadableRecordsInEveryTopicAreSkippedCountedAndNothingStops() throws Exception {
        List<String> topics = List.of(
                Topics.JOBS.name(),
                Topics.JOB_CONTROL.name(),
                Topics.JOB_STATUS.name(),
                Topics.OPERATIONS.name(),
                Topics.TENANTS.name(),
                Topics.SUBSCRIPTIONS.name(),
                Topics.CALLBACKS.name(),
                Topics.DELIVERY_ATTEMPTS.name());
        // Every reader of every topic, by service: each must skip what it meets.
        Map<ConfigurableApplicationContext, Map<String, List<String>>> readers = Map.of(
                stack.api(),
                Map.of(
                        "flowgate-api-tenants", List.of(Topics.TENANTS.name()),
                        "flowgate-api-views",
                                List.of(
                                        Topics.JOBS.name(),
                                        Topics.JOB_CONTROL.name(),
                                        Topics.JOB_STATUS.name(),
                                        Topics.SUBSCRIPTIONS.name(),
                                        Topics.DELIVERY_ATTEMPTS.name())),
                stack.worker(),
                Map.of(
                        "flowgate-worker-tenants", List.of(Topics.TENANTS.name()),
                        "flowgate-worker-jobs", List.of(Topics.JOBS.name()),
                        "flowgate-worker-cancellations", List.of(Topics.JOB_CONTROL.name())),
                stack.dispatcher(),
                Map.of(
                        "flowgate-dispatcher-tenants", List.of(Topics.TENANTS.name()),
                        "flowgate-dispatcher-subscriptions", List.of(Topics.SUBSCRIPTIONS.name()),
                        "flowgate-dispatcher-callbacks", List.of(Topics.CALLBACKS.name())));
        Map<String, Double> before = skippedByReaderAndTopic(readers);
        List<byte[]> poisons = List.of(
                "not json at all".getBytes(),
                // JSON of the right envelope with the fields missing: reads, then fails to process.
                "{\"type\":\"Subscription\",\"v\":1}".getBytes(),
                "{\"type\":\"TenantRegistration\",\"v\":1}".getBytes(),
                "{\"type\":\"JobSubmitted\",\"v\":99,\"tenantId\":null}".getBytes(),
                new byte[] {(byte) 0xff, 0, 1, 2});
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (String topic : topics) {
                for (int i = 0; i < poisons.size(); i++) {
                    producer.send(new ProducerRecord<>(topic, ("poison-" + i).getBytes(), poisons.get(i)))
                            .get();
                }
            }
        }

        // Every reader meets them: each skip of each reader on each topic is counted.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Map<String, Double> after = skippedByReaderAndTopic(readers);
            after.forEach((readerAndTopic, count) -> assertThat(count)
                    .as(readerAndTopic)
                    .isGreaterThanOrEqualTo(before.get(readerAndTopic) + poisons.size()));
        });
        // A fresh read of the catalog (a global store restores without deserializing) still lists it.
        assertThat(Catalog.catalogHas(api, fabrikam)).isTrue();

        // Every service goes on: jobs, subscriptions with their callback, and readiness.
        quietTenantIsServed();
        try (Receiver receiver = new Receiver()) {
            String subscription = Subscriptions.subscribed(
                    fabrikam, "delay", receiver.url("/poison-check", "poison"), "{\"seconds\":0}");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !receiver.calls("/poison-check").isEmpty());
            assertThat(Subscriptions.delete(fabrikam, Subscriptions.path(subscription)))
                    .isEqualTo(204);
        }
        for (ConfigurableApplicationContext service : List.of(stack.api(), stack.worker(), stack.dispatcher())) {
            JsonNode health = JSON.readTree(Http.testClient("http://127.0.0.1:" + LocalStack.managementPort(service))
                    .get()
                    .uri("/actuator/health/liveness")
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectBody(String.class)
                    .returnResult()
                    .getResponseBody());
            assertThat(health.path("status").asString()).isEqualTo("UP");
        }
    }

    @Test
    void aReaderThreadThatDiesIsStartedAgainAndJobsGoOn() {
        MeterRegistry worker = stack.worker().getBean(MeterRegistry.class);
        Counter restarts = worker.counter("flowgate.kafka.reader.restarts", "reader", "flowgate-worker-jobs");
        double before = restarts.count();
        // Interrupting the thread inside the Kafka client makes the loop fail, as any fault would.
        Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("flowgate-worker-jobs"))
                .forEach(Thread::interrupt);
        await().atMost(Duration.ofSeconds(30)).until(() -> restarts.count() > before);
        quietTenantIsServed();
    }

    /** Records skipped so far, by "service reader topic". */
    private static Map<String, Double> skippedByReaderAndTopic(
            Map<ConfigurableApplicationContext, Map<String, List<String>>> readers) {
        Map<String, Double> counts = new java.util.HashMap<>();
        readers.forEach((service, topicsByReader) -> {
            MeterRegistry meters = service.getBean(MeterRegistry.class);
            topicsByReader.forEach((reader, topics) -> topics.forEach(topic -> counts.put(
                    reader + " " + topic,
                    meters.find(SkippedRecords.METRIC).tag("reader", reader).tag("topic", topic).counters().stream()
                            .mapToDouble(Counter::count)
                            .sum())));
        });
        return counts;
    }
}
