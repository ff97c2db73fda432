package io.flowgate.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flowgate.devstack.LocalStack;
import io.flowgate.issuer.DemoTenants;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The standard action and the asynchronous polling action, over HTTP against the running stack. */
class AsyncActionSystemTests {

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

    private static WebTestClient.ResponseSpec cancel(String token, String job) {
        return api.delete().uri(job).headers(h -> h.setBearerAuth(token)).exchange();
    }

    private static JsonNode json(EntityExchangeResult<String> result) {
        return JSON.readTree(result.getResponseBody());
    }

    private static AsyncPatternClient.Answer answer(EntityExchangeResult<String> result) {
        return new AsyncPatternClient.Answer(result.getStatus(), result.getResponseHeaders(), result.getResponseBody());
    }

    @Test
    void fastJobIsAnsweredSynchronouslyWithItsResult() {
        var result = Jobs.submit(api, contoso, "jsonata-transform", """
                {"expression":"$sum(items.price)","document":{"items":[{"price":2},{"price":3.5}]}}""");

        assertThat(result.getStatus().value()).isEqualTo(200);
        assertThat(json(result).get("result").asDouble()).isEqualTo(5.5);
    }

    @Test
    void csvAndSchemaOperationsRunThroughTheWholePath() {
        var csv = Jobs.submit(api, contoso, "csv-to-json", """
                {"csv":"name;qty\\n\\"Smith; J\\";3\\n","delimiter":";"}""");
        assertThat(csv.getStatus().value()).isEqualTo(200);
        assertThat(json(csv).get("rows").get(0).get("name").asString()).isEqualTo("Smith; J");

        var schema = Jobs.submit(api, contoso, "json-schema-validate", """
                {"schema":{"type":"object","required":["id"]},"document":{"name":"x"}}""");
        assertThat(schema.getStatus().value()).isEqualTo(200);
        assertThat(json(schema).get("valid").asBoolean()).isFalse();
        assertThat(json(schema).get("errors").get(0).get("keyword").asString()).isEqualTo("required");
    }

    @Test
    void slowJobIsAcceptedThenPolledToItsResultHonouringLocationAndRetryAfter() {
        var accepted = Jobs.submit(api, contoso, "delay", "{\"seconds\":3}", "Prefer", "respond-async");

        assertThat(accepted.getStatus().value()).isEqualTo(202);
        URI location = accepted.getResponseHeaders().getLocation();
        assertThat(location).isNotNull();
        assertThat(location.toString()).startsWith(stack.apiUrl() + "/api/v1/jobs/");
        assertThat(accepted.getResponseHeaders().getFirst(HttpHeaders.RETRY_AFTER))
                .isEqualTo("1");
        JsonNode body = json(accepted);
        assertThat(body.get("statusUrl").asString()).isEqualTo(location.toString());
        assertThat(body.get("jobId").asString()).isEqualTo(location.getPath().substring("/api/v1/jobs/".length()));
        assertThat(body.get("status").asString()).isEqualTo("ACCEPTED");

        var client = new AsyncPatternClient(contoso);
        // The status URL works the instant it is handed out.
        assertThat(client.get(location).status().value()).isEqualTo(202);

        var done = client.followToCompletion(answer(accepted), Duration.ofSeconds(30));

        assertThat(done.status().value()).isEqualTo(200);
        assertThat(JSON.readTree(done.body())).isEqualTo(JSON.readTree("{\"seconds\":3}"));
        assertThat(client.polls().stream().filter(p -> p.status().value() == 202))
                .as("polls while running show progress")
                .anySatisfy(p -> assertThat(p.body()).contains("\"status\":\"RUNNING\""));
        var again = client.get(location);
        assertThat(again.status().value()).isEqualTo(200);
        assertThat(again.body()).isEqualTo(done.body());
    }

    @Test
    void standardActionWaitsForAJobThatFinishesWithinTheBudget() {
        var result = Jobs.submit(api, contoso, "delay", "{\"seconds\":1}");

        assertThat(result.getStatus().value()).isEqualTo(200);
        assertThat(json(result).get("seconds").asInt()).isEqualTo(1);
    }

    @Test
    void preferWaitShorterThanTheJobAnswers202() {
        var result = Jobs.submit(api, contoso, "delay", "{\"seconds\":3}", "Prefer", "wait=1");

        assertThat(result.getStatus().value()).isEqualTo(202);
        assertThat(result.getResponseHeaders().getLocation()).isNotNull();
    }

    @Test
    void failedJobAnswersTheSameProblemOnEveryPoll() {
        var accepted = Jobs.submit(
                api,
                contoso,
                "jsonata-transform",
                "{\"expression\":\"$$$(\",\"document\":{}}",
                "Prefer",
                "respond-async");
        assertThat(accepted.getStatus().value()).isEqualTo(202);

        var client = new AsyncPatternClient(contoso);
        var failed = client.followToCompletion(answer(accepted), Duration.ofSeconds(30));

        assertThat(failed.status().value()).isEqualTo(400);
        assertThat(failed.headers().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        JsonNode problem = JSON.readTree(failed.body());
        assertThat(problem.get("type").asString()).isEqualTo("urn:flowgate:problem:invalid-input");
        assertThat(problem.get("jobStatus").asString()).isEqualTo("FAILED");
        var again = client.get(accepted.getResponseHeaders().getLocation());
        assertThat(again.status().value()).isEqualTo(400);
        assertThat(again.body()).isEqualTo(failed.body());
    }

    @Test
    void cancelStopsTheRunningHandlerAndIsIdempotent() {
        var accepted = Jobs.submit(api, contoso, "delay", "{\"seconds\":120}", "Prefer", "respond-async");
        URI location = accepted.getResponseHeaders().getLocation();
        var client = new AsyncPatternClient(contoso);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> client.get(location).body().contains("RUNNING"));
        double cancelledBefore = workerJobs("delay", "cancelled");

        cancel(contoso, location.toString()).expectStatus().isNoContent();

        var cancelled = client.get(location);
        assertThat(cancelled.status().value()).isEqualTo(409);
        assertThat(cancelled.body()).contains("urn:flowgate:problem:job-cancelled");
        // The handler itself stopped: the worker counts a cancelled delay job.
        await().atMost(Duration.ofSeconds(20)).until(() -> workerJobs("delay", "cancelled") > cancelledBefore);
        cancel(contoso, location.toString()).expectStatus().isNoContent();
        assertThat(client.get(location).body()).isEqualTo(cancelled.body());
    }

    @Test
    void resubmitWithTheSameIdempotencyKeyReturnsTheSameJob() {
        String key = UUID.randomUUID().toString();
        var first = Jobs.submit(
                api, contoso, "delay", "{\"seconds\":2}", "Idempotency-Key", key, "Prefer", "respond-async");
        var second = Jobs.submit(
                api, contoso, "delay", "{\"seconds\":2}", "Idempotency-Key", key, "Prefer", "respond-async");

        assertThat(first.getStatus().value()).isEqualTo(202);
        assertThat(json(second).get("jobId").asString())
                .isEqualTo(json(first).get("jobId").asString());

        var reused = Jobs.submit(api, contoso, "delay", "{\"seconds\":7}", "Idempotency-Key", key);
        assertThat(reused.getStatus().value()).isEqualTo(422);
        assertThat(reused.getResponseBody()).contains("urn:flowgate:problem:idempotency-key-reused");

        // The same key from another tenant is another job.
        var other = Jobs.submit(
                api, fabrikam, "delay", "{\"seconds\":2}", "Idempotency-Key", key, "Prefer", "respond-async");
        assertThat(json(other).get("jobId").asString())
                .isNotEqualTo(json(first).get("jobId").asString());
    }

    @Test
    void anotherTenantsJobAnswersExactlyLikeAMissingOne() {
        var accepted = Jobs.submit(api, contoso, "delay", "{\"seconds\":1}", "Prefer", "respond-async");
        String jobId = json(accepted).get("jobId").asString();

        var foreign = api.get()
                .uri("/api/v1/jobs/{id}", jobId)
                .headers(h -> h.setBearerAuth(fabrikam))
                .exchange()
                .expectBody(String.class)
                .returnResult();
        // A missing id of the same age: an id issued a moment ago reads as just accepted (202) until
        // the accepted grace has passed, whether it exists or not (docs/api.md), so age is all an
        // answer can tell.
        String young = new io.flowgate.api.job.JobIds("any-secret-will-do-for-an-unknown-id-0123456789")
                .timed(java.time.Instant.now());
        var missing = api.get()
                .uri("/api/v1/jobs/{id}", young)
                .headers(h -> h.setBearerAuth(fabrikam))
                .exchange()
                .expectBody(String.class)
                .returnResult();
        var old = api.get()
                .uri("/api/v1/jobs/{id}", "AAAAAAAAAAAAAAAAAAAAAA")
                .headers(h -> h.setBearerAuth(fabrikam))
                .exchange()
                .expectBody(String.class)
                .returnResult();

        assertThat(foreign.getStatus().value()).isEqualTo(202);
        assertThat(missing.getStatus().value()).isEqualTo(202);
        assertThat(foreign.getResponseBody().replace(jobId, "ID"))
                .isEqualTo(missing.getResponseBody().replace(young, "ID"));
        assertThat(foreign.getResponseHeaders().getLocation().toString().replace(jobId, "ID"))
                .isEqualTo(missing.getResponseHeaders().getLocation().toString().replace(young, "ID"));
        assertThat(old.getStatus().value()).isEqualTo(404);
        cancel(fabrikam, "/api/v1/jobs/" + jobId).expectStatus().isNotFound();
        // ...and the owner still sees its job, uncancelled.
        api.get()
                .uri("/api/v1/jobs/{id}", jobId)
                .headers(h -> h.setBearerAuth(contoso))
                .exchange()
                .expectStatus()
                .value(s -> assertThat(s).isIn(200, 202));
    }

    @Test
    void aLongJobDoesNotHoldUpTheOtherJobsOnItsPartition() {
        var longJob = Jobs.submit(api, contoso, "delay", "{\"seconds\":600}", "Prefer", "respond-async");
        URI location = longJob.getResponseHeaders().getLocation();
        var client = new AsyncPatternClient(contoso);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> client.get(location).body().contains("RUNNING"));

        // With 3 partitions, several of these land on the long job's partition; all finish at once.
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            statuses.add(Jobs.submit(
                            api,
                            contoso,
                            "jsonata-transform",
                            "{\"expression\":\"$string(" + i + ")\",\"document\":{}}",
                            "Prefer",
                            "wait=20")
                    .getStatus()
                    .value());
        }

        assertThat(statuses).containsOnly(200);
        assertThat(client.get(location).status().value()).isEqualTo(202);
        cancel(contoso, location.toString()).expectStatus().isNoContent();
    }

    /** The worker's own count of finished jobs, read from its Prometheus endpoint over HTTP. */
    static double workerJobs(String operation, String outcome) {
        String metrics = Http.testClient("http://127.0.0.1:" + LocalStack.managementPort(stack.worker()))
                .get()
                .uri("/actuator/prometheus")
                .exchange()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        return metrics.lines()
                .filter(l -> l.startsWith("flowgate_worker_jobs_seconds_count{")
                        && l.contains("operation=\"" + operation + "\"")
                        && l.contains("outcome=\"" + outcome + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    @Test
    void theDesignerGetsEachOperationsSchemasAsOpenApi2Schemas() {
        // x-ms-dynamic-schema of "Run an operation" reads this; OpenAPI 2.0 has no type lists.
        JsonNode csv = JSON.readTree(api.get()
                .uri("/api/v1/operations/csv-to-json/designer-schema")
                .headers(h -> h.setBearerAuth(contoso))
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody());
        assertThat(csv.get("input").get("type").asString()).isEqualTo("object");
        assertThat(csv.get("input").get("properties").get("csv").get("type").asString())
                .isEqualTo("string");
        JsonNode rows = csv.get("output").get("properties").get("rows");
        assertThat(rows.get("type").asString()).isEqualTo("array");
        assertThat(rows.get("items").has("type"))
                .as("[object, array] has no OpenAPI 2.0 form: left untyped")
                .isFalse();
        assertThat(csv.toString()).doesNotContain("\"type\":[");

        api.get()
                .uri("/api/v1/operations/no-such-operation/designer-schema")
                .headers(h -> h.setBearerAuth(contoso))
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody()
                .jsonPath("$.type")
                .isEqualTo("urn:flowgate:problem:operation-not-found");
    }
}
