package io.flowgate.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flowgate.contracts.Topics;
import io.flowgate.devstack.LocalStack;
import io.flowgate.issuer.DemoTenants;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * Faults lose nothing: a worker stopped mid-job, an API restarted, Kafka unreachable. (Callback
 * receivers failing and a dispatcher restart are in {@link WebhookActionSystemTests}.)
 */
class FaultSystemTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static LocalStack stack;
    private static WebTestClient api;
    private static String contoso;

    @BeforeAll
    static void startStack() {
        stack = SharedStack.get();
        api = Http.testClient(stack.apiUrl());
        contoso = Tokens.fetch(stack, DemoTenants.CONTOSO_CLIENT);
        await().atMost(Duration.ofSeconds(60)).until(() -> Catalog.catalogHas(api, contoso));
    }

    private static URI submitAsync(String input) {
        return api.post()
                .uri("/api/v1/operations/delay")
                .headers(h -> {
                    h.setBearerAuth(contoso);
                    h.add("Prefer", "respond-async");
                })
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(input)
                .exchange()
                .expectStatus()
                .isAccepted()
                .returnResult(String.class)
                .getResponseHeaders()
                .getLocation();
    }

    @Test
    void aJobInterruptedByAWorkerRestartStillFinishesWithTheSameAnswer() {
        URI location = submitAsync("{\"seconds\":4}");
        var client = new AsyncPatternClient(contoso);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> JSON.readTree(client.get(location).body())
                                .path("progress")
                                .asInt()
                        > 0);

        AsyncPatternClient.Answer whileDown;
        stack.stopWorker();
        try {
            whileDown = client.get(location);
        } finally {
            stack.startWorker(); // the shared stack's worker is back whatever happened
        }
        assertThat(whileDown.status().value())
                .as("the job is not lost or failed")
                .isEqualTo(202);

        var done = client.followToCompletion(whileDown, Duration.ofSeconds(60));
        assertThat(done.status().value()).isEqualTo(200);
        assertThat(JSON.readTree(done.body())).isEqualTo(JSON.readTree("{\"seconds\":4}"));
    }

    @Test
    void aJobWhoseWorkerIsKilledOutrightRunsAgainAndFinishes() throws Exception {
        stack.stopWorker();
        Process doomed = null;
        try {
            // Only a worker in its own process can be killed for real (SIGKILL: no hand-over, no
            // commit, no leaving the group). A short session timeout lets the group notice quickly.
            doomed = new ProcessBuilder(stack.workerProcessCommand(
                            System.getProperty("java.class.path"),
                            "--spring.kafka.consumer.properties.session.timeout.ms=6000",
                            "--spring.kafka.consumer.properties.heartbeat.interval.ms=1000"))
                    .redirectErrorStream(true)
                    .redirectOutput(new java.io.File("target/killed-worker.log"))
                    .start();
            URI location = submitAsync("{\"seconds\":5}");
            var client = new AsyncPatternClient(contoso);
            await().atMost(Duration.ofSeconds(90))
                    .until(() -> JSON.readTree(client.get(location).body())
                                    .path("progress")
                                    .asInt()
                            > 0);

            doomed.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            var afterKill = client.get(location);
            assertThat(afterKill.status().value())
                    .as("the job is not lost or failed")
                    .isEqualTo(202);
            stack.startWorker();

            var done = client.followToCompletion(afterKill, Duration.ofSeconds(90));
            assertThat(done.status().value()).isEqualTo(200);
            assertThat(JSON.readTree(done.body())).isEqualTo(JSON.readTree("{\"seconds\":5}"));
        } finally {
            if (doomed != null) {
                doomed.destroyForcibly();
            }
            if (stack.worker() == null) {
                stack.startWorker();
            }
        }
    }

    @Test
    void aJobCompletedEventArrivesWhenItsWorkerIsKilledRightAfterFinishing() throws Exception {
        TestTenant tenant = TestTenant.fresh();
        URI start = TriggerSystemTests.firstPoll(tenant, "job-completed", "operation=delay");
        stack.stopWorker();
        Process doomed = null;
        try {
            doomed = new ProcessBuilder(stack.workerProcessCommand(
                            System.getProperty("java.class.path"),
                            "--spring.kafka.consumer.properties.session.timeout.ms=6000",
                            "--spring.kafka.consumer.properties.heartbeat.interval.ms=1000"))
                    .redirectErrorStream(true)
                    .redirectOutput(new java.io.File("target/killed-after-finish-worker.log"))
                    .start();
            // The standard action answers once the job's final status is in the view: the worker has
            // reported it. It dies at once, before it can do anything more (commit, leave its group).
            var done = Jobs.submit(api, tenant.flows(), "delay", "{\"seconds\":0}", "Prefer", "wait=90");
            doomed.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(done.getStatus().value()).as(done.getResponseBody()).isEqualTo(200);
        } finally {
            if (doomed != null) {
                doomed.destroyForcibly();
            }
            if (stack.worker() == null) {
                stack.startWorker();
            }
        }
        var client = new PollingTriggerClient(tenant::flows, start, Duration.ofMillis(100));
        var fired = client.fire(1, Duration.ofSeconds(60), () -> {});
        assertThat(fired).hasSize(1);
        assertThat(fired.getFirst().get("status").asString()).isEqualTo("succeeded");
        // The job may run again on the restarted worker (at least once); its event is still one (the
        // status view writes it for a job's first final status only: JobStatusTopologyTests).
        assertThat(TriggerSystemTests.poll(tenant, client.next()).status()).isEqualTo(202);
    }

    @Test
    void anIdempotentRetryRightAfterAnApiRestartReturnsTheSameJobAndWritesNoSecondOne() {
        String key = "restart-" + java.util.UUID.randomUUID();
        String input = "{\"seconds\":0}";
        var accepted = Jobs.submit(api, contoso, "delay", input, "Prefer", "respond-async", "Idempotency-Key", key);
        assertThat(accepted.getStatus().value()).isEqualTo(202);
        URI first = accepted.getResponseHeaders().getLocation();
        long jobsBefore = KafkaProbe.written(stack, Topics.JOBS);

        stack.stopApi();
        try {
            stack.startApi();
            // At once, while the view may still restore: a 503 the engine retries, or the same job.
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                var retry =
                        Jobs.submit(api, contoso, "delay", input, "Prefer", "respond-async", "Idempotency-Key", key);
                int status = retry.getStatus().value();
                assertThat(status).as("never a second job").isIn(200, 202, 503);
                assertThat(status).isNotEqualTo(503);
                if (status == 202) {
                    assertThat(retry.getResponseHeaders().getLocation()).isEqualTo(first);
                }
            });
        } finally {
            if (stack.api() == null) {
                stack.startApi();
            }
        }
        assertThat(KafkaProbe.written(stack, Topics.JOBS))
                .as("no job record written by the retry")
                .isEqualTo(jobsBefore);
    }

    @Test
    void finishedJobsAnswerTheSameAfterTheApiRestartsAndRebuildsItsView() {
        URI location = submitAsync("{\"seconds\":0}");
        var client = new AsyncPatternClient(contoso);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> client.get(location).status().value() == 200);
        String before = client.get(location).body();

        try {
            stack.stopApi();
            stack.startApi();
        } finally {
            if (stack.api() == null) {
                stack.startApi(); // the shared stack's API is back whatever happened
            }
        }

        // While the fresh view restores, a poll may get 202 (never 404); then the same final answer.
        // Every answer is kept, so a 404 on the way fails the test instead of being polled past.
        List<Integer> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            var after = client.get(location);
            seen.add(after.status().value());
            bodies.add(after.body());
            return after.status().value() == 200;
        });
        assertThat(seen).as("every answer while the view restored").allMatch(s -> s == 200 || s == 202);
        assertThat(bodies.getLast()).isEqualTo(before);
    }

    @Test
    void submitWhileKafkaIsUnreachableIs503WithRetryAfter() {
        var broker = (EmbeddedKafkaKraftBroker) new EmbeddedKafkaKraftBroker(1, 1)
                .brokerProperties(Map.of(
                        "transaction.state.log.replication.factor", "1",
                        "transaction.state.log.min.isr", "1"));
        broker.afterPropertiesSet();
        // Open onboarding: the tenants register on that broker on their first call.
        var other = stack.startOtherApi(broker.getBrokersAsString(), Map.of("flowgate.tenants.onboarding", "open"));
        try {
            announceDelay(broker.getBrokersAsString());
            var otherApi = Http.testClient("http://127.0.0.1:" + LocalStack.port(other));
            await().atMost(Duration.ofSeconds(60)).until(() -> Catalog.catalogHas(otherApi, contoso));
            // Ready: every view is running (a broker lost in mid-rebalance is another story).
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> Http.testClient("http://127.0.0.1:" + LocalStack.managementPort(other))
                            .get()
                            .uri("/actuator/health/readiness")
                            .exchange()
                            .expectStatus()
                            .isOk());

            broker.destroy();

            otherApi.post()
                    .uri("/api/v1/operations/delay")
                    .headers(h -> h.setBearerAuth(contoso))
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{\"seconds\":1}")
                    .exchange()
                    .expectStatus()
                    .isEqualTo(503)
                    .expectHeader()
                    .value(HttpHeaders.RETRY_AFTER, v -> assertThat(v).matches("\\d+"))
                    .expectHeader()
                    .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody()
                    .jsonPath("$.type")
                    .isEqualTo("urn:flowgate:problem:temporarily-unavailable");
            // A subscription and its job (one transaction) cannot be written either.
            otherApi.post()
                    .uri("/api/v1/operations/delay/subscriptions")
                    .headers(h -> h.setBearerAuth(contoso))
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{\"callbackUrl\":\"http://127.0.0.1:9/cb\",\"input\":{\"seconds\":1}}")
                    .exchange()
                    .expectStatus()
                    .isEqualTo(503)
                    .expectHeader()
                    .value(HttpHeaders.RETRY_AFTER, v -> assertThat(v).matches("\\d+"))
                    .expectBody()
                    .jsonPath("$.type")
                    .isEqualTo("urn:flowgate:problem:temporarily-unavailable");
            // A new tenant's first call cannot be registered either: 503 too, never a 401 or a 500.
            otherApi.get()
                    .uri("/api/v1/operations")
                    .headers(h -> h.setBearerAuth(Tokens.forTenant(stack, Tokens.newTenantId())))
                    .exchange()
                    .expectStatus()
                    .isEqualTo(503)
                    .expectHeader()
                    .value(HttpHeaders.RETRY_AFTER, v -> assertThat(v).matches("\\d+"));
        } finally {
            other.close();
            broker.destroy();
        }
    }

    /** Announces the delay operation on another broker, as a worker there would. */
    @Test
    void anApiWhoseViewsStoppedAnswers503NotAnError() {
        var other = stack.startOtherApi(
                stack.bootstrapServers(), Map.of("spring.kafka.streams.application-id", "flowgate-api-stopped-views"));
        try {
            var otherApi = Http.testClient("http://127.0.0.1:" + LocalStack.port(other));
            await().atMost(Duration.ofSeconds(60)).until(() -> Catalog.catalogHas(otherApi, contoso));
            other.getBean(org.springframework.kafka.config.StreamsBuilderFactoryBean.class)
                    .getKafkaStreams()
                    .close(Duration.ofSeconds(10));

            for (String path : List.of("/api/v1/operations/delay", "/api/v1/operations/delay/subscriptions")) {
                otherApi.post()
                        .uri(path)
                        .headers(h -> h.setBearerAuth(contoso))
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(
                                path.endsWith("subscriptions")
                                        ? "{\"callbackUrl\":\"http://127.0.0.1:9/cb\",\"input\":{\"seconds\":1}}"
                                        : "{\"seconds\":1}")
                        .exchange()
                        .expectStatus()
                        .isEqualTo(503)
                        .expectHeader()
                        .value(HttpHeaders.RETRY_AFTER, v -> assertThat(v).matches("\\d+"))
                        .expectBody()
                        .jsonPath("$.type")
                        .isEqualTo("urn:flowgate:problem:temporarily-unavailable");
            }
        } finally {
            other.close();
        }
    }

    private static void announceDelay(String bootstrapServers) {
        var descriptor = Catalog.descriptor(api, contoso, "delay");
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
                Topics.OPERATIONS.keySerde().serializer(),
                Topics.OPERATIONS.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(Topics.OPERATIONS.name(), descriptor.name(), descriptor));
        }
    }
}
