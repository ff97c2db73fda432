package io.flowgate.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flowgate.api.job.JobIds;
import io.flowgate.api.job.TenantJobs;
import io.flowgate.api.replica.StoreRoutes;
import io.flowgate.devstack.LocalStack;
import io.flowgate.issuer.DemoTenants;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two api-service replicas of one deployment (one Kafka Streams application id) split the views'
 * partitions between them; whichever replica a flow's request reaches answers for every job, reading
 * the ones the other owns on that replica's internal port.
 */
class ScaleOutSystemTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String JOB_STORE = "job-status";

    private static LocalStack stack;
    private static ConfigurableApplicationContext second;
    private static WebTestClient first;
    private static WebTestClient other;
    private static String contoso;
    private static String fabrikam;

    @BeforeAll
    static void startSecondReplica() {
        stack = SharedStack.get();
        second = stack.startOtherApi(stack.bootstrapServers(), Map.of());
        first = Http.testClient(stack.apiUrl());
        other = Http.testClient("http://127.0.0.1:" + LocalStack.port(second));
        contoso = Tokens.fetch(stack, DemoTenants.CONTOSO_CLIENT);
        fabrikam = Tokens.fetch(stack, DemoTenants.FABRIKAM_CLIENT);
        // Both replicas run and each owns some of the status view's partitions.
        await().atMost(Duration.ofSeconds(90))
                .until(() -> running(stack.api())
                        && running(second)
                        && streams(second).metadataForLocalThreads().stream()
                                .anyMatch(t -> !t.activeTasks().isEmpty())
                        && streams(stack.api()).metadataForLocalThreads().stream()
                                .anyMatch(t -> !t.activeTasks().isEmpty()));
        await().atMost(Duration.ofSeconds(60)).until(() -> Catalog.catalogHas(other, contoso));
    }

    @AfterAll
    static void stopSecondReplica() {
        if (second != null) {
            second.close();
        }
    }

    private static boolean running(ConfigurableApplicationContext context) {
        KafkaStreams streams = streams(context);
        return streams != null && streams.state() == KafkaStreams.State.RUNNING;
    }

    private static KafkaStreams streams(ConfigurableApplicationContext context) {
        return context.getBean(StreamsBuilderFactoryBean.class).getKafkaStreams();
    }

    /** Whether the job's status lives on the first replica (the shared stack's). */
    private static boolean ownedByFirst(String jobId) {
        return stack.api().getBean(StoreRoutes.class).route(JOB_STORE, jobId) instanceof StoreRoutes.Local;
    }

    private static String jobId(EntityExchangeResult<String> accepted) {
        return JSON.readTree(accepted.getResponseBody()).get("jobId").asString();
    }

    private static EntityExchangeResult<String> poll(WebTestClient api, String token, String jobId) {
        return api.get()
                .uri("/api/v1/jobs/{id}", jobId)
                .headers(h -> h.setBearerAuth(token))
                .exchange()
                .expectBody(String.class)
                .returnResult();
    }

    /**
     * A callback URL of {@code receiver} whose subscription to {@code operation} the first replica owns
     * (subscription ids are derived from the tenant, the operation and the callback URL).
     */
    private static String callbackOwnedByFirst(Receiver receiver, String prefix, String operation) {
        JobIds ids = new JobIds(stack.api().getEnvironment().getRequiredProperty("flowgate.api.id-secret"));
        for (int i = 0; ; i++) {
            String candidate = receiver.url(prefix + i + "-" + System.nanoTime(), "x");
            String id = ids.idempotent(DemoTenants.CONTOSO, "subscription\n" + operation + "\n" + candidate);
            if (stack.api().getBean(StoreRoutes.class).route("subscriptions", id) instanceof StoreRoutes.Local) {
                return candidate;
            }
        }
    }

    /** Subscribes contoso's {@code callback} to {@code operation} with {@code input} through {@code replica}. */
    private static EntityExchangeResult<String> subscribe(
            WebTestClient replica, String operation, String callback, String input) {
        return replica.post()
                .uri("/api/v1/operations/{operation}/subscriptions", operation)
                .headers(h -> h.setBearerAuth(contoso))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"callbackUrl\":\"" + callback + "\",\"input\":" + input + "}")
                .exchange()
                .expectBody(String.class)
                .returnResult();
    }

    /** Removes a subscription through {@code replica}; an unsubscribe answers 204 whatever it found. */
    private static void unsubscribe(WebTestClient replica, String subscriptionId) {
        replica.delete()
                .uri("/api/v1/subscriptions/{id}", subscriptionId)
                .headers(h -> h.setBearerAuth(contoso))
                .exchange()
                .expectStatus()
                .isNoContent();
    }

    /** Waits until neither replica finds the subscription. */
    private static void awaitGoneOnBoth(String subscriptionId, Duration within) {
        for (WebTestClient replica : List.of(first, other)) {
            await().atMost(within)
                    .untilAsserted(() -> replica.get()
                            .uri("/api/v1/subscriptions/{id}", subscriptionId)
                            .headers(h -> h.setBearerAuth(contoso))
                            .exchange()
                            .expectStatus()
                            .isNotFound());
        }
    }

    @Test
    void everyJobIsAnsweredByEitherReplicaWhicheverOwnsIt() {
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            var accepted = Jobs.submit(
                    i % 2 == 0 ? first : other,
                    contoso,
                    "jsonata-transform",
                    "{\"expression\":\"n * 2\",\"document\":{\"n\":" + i + "}}",
                    "Prefer",
                    "respond-async");
            assertThat(accepted.getStatus().value()).isEqualTo(202);
            jobs.add(jobId(accepted));
        }
        assertThat(jobs).as("jobs owned by each replica").anyMatch(ScaleOutSystemTests::ownedByFirst);
        assertThat(jobs).anyMatch(job -> !ownedByFirst(job));

        for (int i = 0; i < jobs.size(); i++) {
            String job = jobs.get(i);
            int expected = i * 2;
            for (WebTestClient replica : List.of(first, other)) {
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    var answer = poll(replica, contoso, job);
                    assertThat(answer.getStatus().value())
                            .as(answer.getResponseBody())
                            .isEqualTo(200);
                    assertThat(JSON.readTree(answer.getResponseBody())
                                    .get("result")
                                    .asInt())
                            .isEqualTo(expected);
                });
            }
            // Another tenant cannot read it through either replica: it gets what any unknown id of that
            // age gets (202 while the id is young, 404 after), never the job.
            for (WebTestClient replica : List.of(first, other)) {
                var foreign = poll(replica, fabrikam, job);
                assertThat(foreign.getStatus().value()).isIn(202, 404);
                assertThat(String.valueOf(foreign.getResponseBody())).doesNotContain("result", "SUCCEEDED");
            }
        }
        // Every job ended, so no replica counts any in flight for the tenant (the sum over both, read
        // through either): the place a replica reserved for a job the other owns was given back once
        // the job was written.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(stack.api()
                            .getBean(TenantJobs.class)
                            .inFlight(DemoTenants.CONTOSO)
                            .block())
                    .isZero();
            assertThat(second.getBean(TenantJobs.class)
                            .inFlight(DemoTenants.CONTOSO)
                            .block())
                    .isZero();
        });
    }

    @Test
    void aSynchronousActionIsAnsweredByTheReplicaThatTookItWhoeverOwnsTheJob() {
        // An Idempotency-Key's job id is known in advance: pick keys whose jobs the first replica owns,
        // and send them to the other, which must wait for a job it cannot see in its own view.
        JobIds ids = new JobIds(stack.api().getEnvironment().getRequiredProperty("flowgate.api.id-secret"));
        int sent = 0;
        for (int i = 0; sent < 4; i++) {
            String key = "scale-out-sync-" + i + "-" + System.nanoTime();
            if (!ownedByFirst(ids.idempotent(DemoTenants.CONTOSO, key))) {
                continue;
            }
            sent++;
            var answer = Jobs.submit(other, contoso, "delay", "{\"seconds\":1}", "Idempotency-Key", key);
            assertThat(answer.getStatus().value()).as(answer.getResponseBody()).isEqualTo(200);
            assertThat(JSON.readTree(answer.getResponseBody()).get("seconds").asInt())
                    .isEqualTo(1);
        }
    }

    @Test
    void aCancelThroughOneReplicaOfAJobTheOtherOwnsIsSeenAtOnceOnBoth() {
        String job = null;
        for (int i = 0; i < 32 && job == null; i++) {
            var accepted = Jobs.submit(other, contoso, "delay", "{\"seconds\":30}", "Prefer", "respond-async");
            String id = jobId(accepted);
            if (ownedByFirst(id)) {
                job = id;
            } else {
                other.delete()
                        .uri("/api/v1/jobs/{id}", id)
                        .headers(h -> h.setBearerAuth(contoso))
                        .exchange();
            }
        }
        assertThat(job).as("a job owned by the first replica").isNotNull();
        String owned = job;
        other.delete()
                .uri("/api/v1/jobs/{id}", owned)
                .headers(h -> h.setBearerAuth(contoso))
                .exchange()
                .expectStatus()
                .is2xxSuccessful();
        // The cancel answered once the owner's view showed it: a poll right after, on either, reads it.
        for (WebTestClient replica : List.of(other, first)) {
            var answer = poll(replica, contoso, owned);
            JsonNode body = JSON.readTree(answer.getResponseBody());
            assertThat(body.path("type").asString() + body.path("status").asString())
                    .as(answer.getResponseBody())
                    .containsIgnoringCase("cancel");
        }
    }

    @Test
    void aWebhookSubscriptionIsReadThroughEitherReplicaAndRemovedThroughTheOneThatDoesNotOwnIt() {
        try (Receiver receiver = new Receiver()) {
            // Subscription ids are derived from the tenant, operation and callback URL: pick a callback
            // URL whose subscription the first replica owns, and work through the other.
            String callback = callbackOwnedByFirst(receiver, "/scale-out-", "jsonata-transform");
            String subscriptionId = new JobIds(
                            stack.api().getEnvironment().getRequiredProperty("flowgate.api.id-secret"))
                    .idempotent(DemoTenants.CONTOSO, "subscription\njsonata-transform\n" + callback);
            String path = URI.create(callback).getPath();
            String sixTimesSeven = "{\"expression\":\"6*7\",\"document\":{}}";
            var created = subscribe(other, "jsonata-transform", callback, sixTimesSeven);
            assertThat(created.getStatus().value())
                    .as(created.getResponseBody())
                    .isEqualTo(201);
            assertThat(JSON.readTree(created.getResponseBody())
                            .get("subscriptionId")
                            .asString())
                    .isEqualTo(subscriptionId);
            receiver.await(path, 1, Duration.ofSeconds(30));

            String id = subscriptionId;
            for (WebTestClient replica : List.of(other, first)) {
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    var read = replica.get()
                            .uri("/api/v1/subscriptions/{id}/deliveries", id)
                            .headers(h -> h.setBearerAuth(contoso))
                            .exchange()
                            .expectBody(String.class)
                            .returnResult();
                    assertThat(read.getStatus().value())
                            .as(read.getResponseBody())
                            .isEqualTo(200);
                    assertThat(JSON.readTree(read.getResponseBody()).get("value"))
                            .isNotEmpty();
                });
                // Another tenant's read is a 404 on either.
                replica.get()
                        .uri("/api/v1/subscriptions/{id}", id)
                        .headers(h -> h.setBearerAuth(fabrikam))
                        .exchange()
                        .expectStatus()
                        .isNotFound();
            }
            // A repeated subscribe through the first replica finds the same subscription, no second job.
            var again = subscribe(first, "jsonata-transform", callback, sixTimesSeven);
            assertThat(JSON.readTree(again.getResponseBody())
                            .get("subscriptionId")
                            .asString())
                    .isEqualTo(id);

            unsubscribe(other, id);
            awaitGoneOnBoth(id, Duration.ofSeconds(30));
            assertThat(receiver.calls(path)).hasSize(1);
        }
    }

    @Test
    void anUnsubscribeThroughTheOwnerAMomentAfterTheSubscribeThroughTheOtherReplicaRemovesItAndCancelsItsJob() {
        try (Receiver receiver = new Receiver()) {
            List<String> paths = new ArrayList<>();
            for (int round = 0; round < 5; round++) {
                // A subscription the first replica owns, created through the other one and removed at once
                // through the first, whose view has not read it yet: the unsubscribe must still find it.
                String callback = callbackOwnedByFirst(receiver, "/settled-" + round + "-", "delay");
                paths.add(URI.create(callback).getPath());
                var created = subscribe(other, "delay", callback, "{\"seconds\":20}");
                assertThat(created.getStatus().value())
                        .as(created.getResponseBody())
                        .isEqualTo(201);
                var subscription = JSON.readTree(created.getResponseBody());
                String subscriptionId = subscription.get("subscriptionId").asString();
                String jobId = subscription.get("jobId").asString();
                unsubscribe(first, subscriptionId);
                awaitGoneOnBoth(subscriptionId, Duration.ofSeconds(10));
                for (WebTestClient replica : List.of(first, other)) {
                    await().atMost(Duration.ofSeconds(10))
                            .untilAsserted(() -> assertThat(JSON.readTree(poll(replica, contoso, jobId)
                                                    .getResponseBody())
                                            .get("jobStatus")
                                            .asString())
                                    .isEqualToIgnoringCase("cancelled"));
                }
            }
            paths.forEach(path -> assertThat(receiver.calls(path)).as(path).isEmpty());
        }
    }

    @Test
    void aPollingTriggerStartedOnOneReplicaFiresOnTheOther() {
        TestTenant tenant = TestTenant.fresh();
        // A condition near its 2,000-character limit, which percent-encoding triples: the forwarded
        // read carries it to the owner.
        String condition = "operation != \"" + "&".repeat(1_900) + "\"";
        String query = "/api/v1/triggers/job-completed/poll?operation=jsonata-transform&condition="
                + java.net.URLEncoder.encode(condition, java.nio.charset.StandardCharsets.UTF_8);
        String firstUrl = stack.apiUrl();
        String otherUrl = "http://127.0.0.1:" + LocalStack.port(second);
        // The tenant's job-completed events live on one replica: starting on each and going on on the
        // other reads them once through the owner's internal port, once locally, in either order.
        List<URI> starts = new ArrayList<>();
        for (String base : List.of(firstUrl, otherUrl)) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                var start = PollingTriggerClient.get(tenant.flows(), URI.create(base + query));
                assertThat(start.status()).as(start.body()).isEqualTo(202);
                starts.add(start.location());
            });
        }
        var done = Jobs.submit(first, tenant.flows(), "jsonata-transform", "{\"expression\":\"7\",\"document\":{}}");
        assertThat(done.getStatus().value()).as(done.getResponseBody()).isEqualTo(200);

        for (int i = 0; i < 2; i++) {
            URI location = starts.get(i);
            String elsewhere = (i == 0 ? otherUrl : firstUrl) + location.getRawPath() + "?" + location.getRawQuery();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                var fired = PollingTriggerClient.get(tenant.flows(), URI.create(elsewhere));
                assertThat(fired.status()).as(fired.body()).isEqualTo(200);
                assertThat(fired.body()).contains("\"jsonata-transform\"");
            });
        }
    }

    @Test
    void theOperatorSeesAndOffboardingPurgesATenantsJobsOnEveryReplica() {
        TestTenant tenant = TestTenant.fresh();
        List<String> jobs = new ArrayList<>();
        // Eight jobs or more, until each replica owns one (a job's owner follows its random id: eight alone
        // land on one replica once in about 128 runs).
        while (jobs.size() < 8
                || jobs.stream().allMatch(ScaleOutSystemTests::ownedByFirst)
                || jobs.stream().noneMatch(ScaleOutSystemTests::ownedByFirst)) {
            assertThat(jobs).as("jobs submitted before each replica owned one").hasSizeLessThan(32);
            var accepted = Jobs.submit(
                    jobs.size() % 2 == 0 ? first : other,
                    tenant.flows(),
                    "delay",
                    "{\"seconds\":60}",
                    "Prefer",
                    "respond-async");
            assertThat(accepted.getStatus().value())
                    .as(accepted.getResponseBody())
                    .isEqualTo(202);
            jobs.add(jobId(accepted));
        }
        Admin admin = new Admin(stack);
        // The usage the operator reads is the tenant's on both replicas, whichever answers.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode read = JSON.readTree(admin.get(tenant.id())
                    .expectStatus()
                    .isOk()
                    .expectBody(String.class)
                    .returnResult()
                    .getResponseBody());
            assertThat(read.get("usage").get("jobsInFlight").asInt()).isEqualTo(jobs.size());
        });

        JsonNode offboarded = JSON.readTree(admin.offboard(tenant.id())
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody());

        assertThat(offboarded.get("purged").get("jobs").asInt()).isEqualTo(jobs.size());
        assertThat(offboarded.get("purged").get("cancelled").asInt()).isEqualTo(jobs.size());
        // Gone from both replicas' views: registered again, the tenant has nothing in flight and finds
        // none of its old jobs (one issued in the last two minutes reads as just accepted, 202, as any
        // unknown id of that age does: docs/api.md).
        admin.register(tenant.id(), "{\"plan\":\"local\"}");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode read = JSON.readTree(admin.get(tenant.id())
                    .expectStatus()
                    .isOk()
                    .expectBody(String.class)
                    .returnResult()
                    .getResponseBody());
            assertThat(read.get("usage").get("jobsInFlight").asInt()).isZero();
            for (String job : jobs) {
                for (WebTestClient replica : List.of(first, other)) {
                    var answer = poll(replica, tenant.flows(), job);
                    assertThat(answer.getStatus().value()).as(job).isIn(202, 404);
                    assertThat(String.valueOf(answer.getResponseBody())).as(job).doesNotContain("CANCELLED", "RUNNING");
                }
            }
        });
    }

    @Test
    void theInternalPortServesOnlyTheReplicasCredential() throws Exception {
        int port = Integer.parseInt(second.getEnvironment().getProperty("flowgate.api.replica.port", "0"));
        HttpClient http = HttpClient.newHttpClient();
        var accepted = Jobs.submit(
                other,
                contoso,
                "jsonata-transform",
                "{\"expression\":\"1\",\"document\":{}}",
                "Prefer",
                "respond-async");
        assertThat(accepted.getStatus().value()).as(accepted.getResponseBody()).isEqualTo(202);
        String job = jobId(accepted);
        for (String authorization : new String[] {null, "Bearer " + contoso, "Bearer x"}) {
            var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/internal/v1/jobs/" + job
                    + "?tenant=" + DemoTenants.CONTOSO + "&wait=0"));
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            var response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(String.valueOf(authorization)).isEqualTo(404);
            assertThat(response.body()).isEmpty();
        }
    }
}
