package io.flowgate.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flowgate.contracts.JobStatus;
import io.flowgate.contracts.Topics;
import io.flowgate.devstack.LocalStack;
import io.flowgate.issuer.DemoTenants;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tenants: the operator's admin API, onboarding by allow-list and open self-service, suspension,
 * offboarding with its purge, and the per-tenant quotas. Each test works with tenants of its own.
 */
class TenantSystemTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static LocalStack stack;
    private static WebTestClient api;
    private static Admin admin;

    @BeforeAll
    static void startStack() {
        stack = SharedStack.get();
        api = Http.testClient(stack.apiUrl());
        admin = new Admin(stack);
        String contoso = Tokens.fetch(stack, DemoTenants.CONTOSO_CLIENT);
        await().atMost(Duration.ofSeconds(60)).until(() -> Catalog.catalogHas(api, contoso));
    }

    private static WebTestClient.ResponseSpec operations(String token) {
        return api.get()
                .uri("/api/v1/operations")
                .headers(h -> h.setBearerAuth(token))
                .exchange();
    }

    private static JsonNode json(EntityExchangeResult<String> result) {
        return JSON.readTree(result.getResponseBody());
    }

    private static JsonNode body(WebTestClient.ResponseSpec response) {
        return JSON.readTree(response.expectBody(String.class).returnResult().getResponseBody());
    }

    @Test
    void operatorRegistersUpdatesSuspendsAndResumesATenant() {
        String tenant = Tokens.newTenantId();
        String token = Tokens.forTenant(stack, tenant);
        admin.get(tenant)
                .expectStatus()
                .isNotFound()
                .expectBody()
                .jsonPath("$.type")
                .isEqualTo("urn:flowgate:problem:tenant-not-found");

        JsonNode created = body(admin.put(tenant, "{\"plan\":\"standard\",\"quotas\":{\"jobsInFlight\":5}}")
                .expectStatus()
                .isCreated());
        assertThat(created.get("status").asString()).isEqualTo("ACTIVE");
        assertThat(created.get("effectiveQuotas").get("jobsInFlight").asInt()).isEqualTo(5);
        assertThat(created.get("effectiveQuotas").get("requestsPerSecond").asInt())
                .isEqualTo(20);
        assertThat(created.get("changedBy").asString()).isEqualTo(DemoTenants.OPERATOR_CLIENT.objectId());
        operations(token).expectStatus().isOk();

        JsonNode updated =
                body(admin.put(tenant, "{\"plan\":\"local\"}").expectStatus().isOk());
        assertThat(updated.get("plan").asString()).isEqualTo("local");
        assertThat(updated.get("registeredAt").asString())
                .isEqualTo(created.get("registeredAt").asString());

        admin.post(tenant, "suspend")
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("SUSPENDED");
        var refused = operations(token);
        refused.expectStatus()
                .isForbidden()
                .expectHeader()
                .value(
                        HttpHeaders.WWW_AUTHENTICATE,
                        v -> assertThat(v).startsWith("Bearer error=\"insufficient_scope\""))
                .expectBody()
                .jsonPath("$.type")
                .isEqualTo("urn:flowgate:problem:tenant-not-active");
        long before = KafkaProbe.written(stack, Topics.JOBS);
        Jobs.submit(api, token, "delay", "{\"seconds\":0}");
        assertThat(KafkaProbe.written(stack, Topics.JOBS))
                .as("a suspended tenant's submit writes nothing")
                .isEqualTo(before);

        admin.post(tenant, "resume")
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("ACTIVE");
        operations(token).expectStatus().isOk();
        assertThat(body(admin.get(tenant).expectStatus().isOk()).get("status").asString())
                .isEqualTo("ACTIVE");
    }

    @Test
    void badAdminInputIs400Or404AndChangesNothing() {
        String tenant = Tokens.newTenantId();
        long before = KafkaProbe.written(stack, Topics.TENANTS);

        admin.put("not-a-tenant", "{}")
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.type")
                .isEqualTo("urn:flowgate:problem:invalid-tenant-change");
        admin.put(tenant, "{\"plan\":\"platinum\"}").expectStatus().isBadRequest();
        admin.put(tenant, "{\"quotas\":{\"requestsPerSecond\":0}}")
                .expectStatus()
                .isBadRequest();
        admin.put(tenant, "{\"quotas\":{\"maxBodyBytes\":999999999}}")
                .expectStatus()
                .isBadRequest();
        admin.put(tenant, "{\"plan\":").expectStatus().isBadRequest();
        admin.post(tenant, "suspend").expectStatus().isNotFound();
        admin.offboard(tenant).expectStatus().isNotFound();

        assertThat(KafkaProbe.written(stack, Topics.TENANTS)).isEqualTo(before);
        admin.get(tenant).expectStatus().isNotFound();
    }

    @Test
    void administrationNeedsTheOperatorRoleFromTheOperatorsTenant() {
        String contoso = Tokens.fetch(stack, DemoTenants.CONTOSO_CLIENT);
        String roleFromAnotherTenant = stack.issuer()
                .token(
                        DemoTenants.CONTOSO_CLIENT.clientId(),
                        LocalStack.AUDIENCE,
                        claims -> claims.claim("roles", List.of(DemoTenants.OPERATOR_ROLE)));
        String operatorWithoutRole = stack.issuer()
                .token(
                        DemoTenants.OPERATOR_CLIENT.clientId(),
                        LocalStack.AUDIENCE,
                        claims -> claims.claim("roles", List.of()));
        for (String token : List.of(contoso, roleFromAnotherTenant, operatorWithoutRole)) {
            api.get()
                    .uri("/admin/v1/tenants/{id}", DemoTenants.CONTOSO)
                    .headers(h -> h.setBearerAuth(token))
                    .exchange()
                    .expectStatus()
                    .isForbidden()
                    .expectHeader()
                    .value(
                            HttpHeaders.WWW_AUTHENTICATE,
                            v -> assertThat(v).startsWith("Bearer error=\"insufficient_scope\""))
                    .expectHeader()
                    .contentType(MediaType.APPLICATION_PROBLEM_JSON);
        }
        api.delete()
                .uri("/admin/v1/tenants/{id}", DemoTenants.CONTOSO)
                .headers(h -> h.setBearerAuth(roleFromAnotherTenant))
                .exchange()
                .expectStatus()
                .isForbidden();
        api.get().uri("/admin/v1/tenants").exchange().expectStatus().isUnauthorized();
        admin.get(DemoTenants.CONTOSO)
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("ACTIVE");
    }

    @Test
    void anUnregisteredTenantIsRefusedUnderTheAllowListAndNothingIsWritten() {
        String stranger = Tokens.forTenant(stack, Tokens.newTenantId());
        long before = KafkaProbe.written(stack, Topics.JOBS, Topics.TENANTS);

        var response = api.post()
                .uri("/api/v1/operations/delay")
                .headers(h -> h.setBearerAuth(stranger))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"seconds\":0}")
                .exchange();

        response.expectStatus()
                .isUnauthorized()
                .expectHeader()
                .value(HttpHeaders.WWW_AUTHENTICATE, v -> assertThat(v).startsWith("Bearer error=\"invalid_token\""))
                .expectBody()
                .jsonPath("$.type")
                .isEqualTo("urn:flowgate:problem:unauthorized")
                .jsonPath("$.detail")
                .value(d -> assertThat((String) d).contains("not registered"));
        assertThat(KafkaProbe.written(stack, Topics.JOBS, Topics.TENANTS)).isEqualTo(before);
    }

    @Test
    void openOnboardingRegistersATenantOnItsFirstCall() {
        var open = stack.startOtherApi(
                stack.bootstrapServers(),
                Map.of(
                        "flowgate.tenants.onboarding", "open",
                        "spring.kafka.streams.application-id", "flowgate-api-open-onboarding"));
        try {
            WebTestClient openApi = Http.testClient("http://127.0.0.1:" + LocalStack.port(open));
            String tenant = Tokens.newTenantId();
            String token = Tokens.forTenant(stack, tenant);
            await().atMost(Duration.ofSeconds(60)).until(() -> Catalog.catalogHas(openApi, token));

            openApi.get()
                    .uri("/api/v1/operations")
                    .headers(h -> h.setBearerAuth(token))
                    .exchange()
                    .expectStatus()
                    .isOk();

            // Every replica follows the registry: the shared api-service now knows the tenant too.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode entry = body(admin.get(tenant).expectStatus().isOk());
                assertThat(entry.get("status").asString()).isEqualTo("ACTIVE");
                assertThat(entry.get("plan").asString()).isEqualTo("local");
                assertThat(entry.get("changedBy").asString()).isEqualTo("onboarding");
            });
            operations(token).expectStatus().isOk();

            // An offboarded tenant is not brought back by open onboarding.
            admin.offboard(tenant).expectStatus().isOk();
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> openApi.get()
                            .uri("/api/v1/operations")
                            .headers(h -> h.setBearerAuth(token))
                            .exchange()
                            .expectStatus()
                            .isForbidden());
        } finally {
            open.close();
        }
    }

    @Test
    void offboardingPurgesTheTenantsJobsAndRefusesItsCalls() {
        String tenant = Tokens.newTenantId();
        admin.register(tenant, "{\"plan\":\"local\"}");
        String token = Tokens.forTenant(stack, tenant);
        String finished = json(Jobs.submit(api, token, "delay", "{\"seconds\":0}", "Prefer", "respond-async"))
                .get("jobId")
                .asString();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> api.get()
                                .uri("/api/v1/jobs/{id}", finished)
                                .headers(h -> h.setBearerAuth(token))
                                .exchange()
                                .returnResult(String.class)
                                .getStatus()
                                .value()
                        == 200);
        var running = Jobs.submit(api, token, "delay", "{\"seconds\":120}", "Prefer", "respond-async");
        assertThat(running.getStatus().value()).isEqualTo(202);
        String runningId = json(running).get("jobId").asString();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> "RUNNING"
                        .equals(json(api.get()
                                        .uri("/api/v1/jobs/{id}", runningId)
                                        .headers(h -> h.setBearerAuth(token))
                                        .exchange()
                                        .expectBody(String.class)
                                        .returnResult())
                                .path("status")
                                .asString()));

        JsonNode answer = body(admin.offboard(tenant).expectStatus().isOk());

        assertThat(answer.get("status").asString()).isEqualTo("OFFBOARDED");
        assertThat(answer.get("purged").get("jobs").asInt()).isEqualTo(2);
        assertThat(answer.get("purged").get("cancelled").asInt()).isEqualTo(1);
        assertThat(answer.get("usage").get("jobsInFlight").asInt()).isZero();
        api.get()
                .uri("/api/v1/jobs/{id}", finished)
                .headers(h -> h.setBearerAuth(token))
                .exchange()
                .expectStatus()
                .isForbidden()
                .expectBody()
                .jsonPath("$.detail")
                .value(d -> assertThat((String) d).contains("offboarded"));
        // The compacted status topic ends in a tombstone for each job: nothing of them remains.
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () -> assertThat(KafkaProbe.latest(stack, Topics.JOB_STATUS, List.of(finished, runningId)))
                                .containsEntry(finished, Optional.<JobStatus>empty())
                                .containsEntry(runningId, Optional.<JobStatus>empty()));
        admin.post(tenant, "resume").expectStatus().isEqualTo(409);
        admin.offboard(tenant)
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.purged.jobs")
                .isEqualTo(0);

        // Registered again, the tenant starts afresh: its old jobs are gone. The id is younger than the
        // accepted grace, so it reads as any unknown id of its age does (docs/api.md): just accepted,
        // with nothing of the job (a known job's answer names its operation).
        admin.put(tenant, "{}").expectStatus().isCreated();
        api.get()
                .uri("/api/v1/jobs/{id}", finished)
                .headers(h -> h.setBearerAuth(token))
                .exchange()
                .expectStatus()
                .isAccepted()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("ACCEPTED")
                .jsonPath("$.operation")
                .doesNotExist();
    }

    /** The API's count of {@code tenant}'s requests refused for {@code reason}. */
    private static double refusals(String tenant, String reason) {
        Counter counter = stack.api()
                .getBean(MeterRegistry.class)
                .find("flowgate.api.tenant.refusals")
                .tag("tenant", tenant)
                .tag("reason", reason)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void theRequestRateIsLimitedPerTenantWith429AndRetryAfter() {
        String noisy = Tokens.newTenantId();
        admin.register(noisy, "{\"quotas\":{\"requestsPerSecond\":1,\"burst\":3}}");
        String noisyToken = Tokens.forTenant(stack, noisy);
        String quiet = Tokens.fetch(stack, DemoTenants.FABRIKAM_CLIENT);

        List<Integer> noisyStatuses = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            var result = operations(noisyToken).expectBody(String.class).returnResult();
            noisyStatuses.add(result.getStatus().value());
            if (result.getStatus().value() == 429) {
                assertThat(Long.parseLong(result.getResponseHeaders().getFirst(HttpHeaders.RETRY_AFTER)))
                        .isBetween(1L, 2L);
                assertThat(JSON.readTree(result.getResponseBody()).get("type").asString())
                        .isEqualTo("urn:flowgate:problem:rate-limited");
            }
        }
        assertThat(noisyStatuses).contains(200, 429);
        assertThat(noisyStatuses.subList(0, 3)).containsOnly(200);
        assertThat(refusals(noisy, "rate"))
                .as("the refusals are counted for the tenant (the tenants dashboard)")
                .isEqualTo(noisyStatuses.stream().filter(s -> s == 429).count());
        for (int i = 0; i < 8; i++) {
            operations(quiet).expectStatus().isOk();
        }
    }

    /**
     * One tenant hammering the API far beyond its rate while another works: the second is never
     * throttled and every call of it succeeds. Latencies are printed for the record; the benchmark is
     * where they are measured.
     */
    @Test
    void aTenantAtItsLimitDoesNotThrottleAnother() throws Exception {
        String noisy = Tokens.newTenantId();
        admin.register(noisy, "{\"quotas\":{\"requestsPerSecond\":5,\"burst\":5}}");
        String noisyToken = Tokens.forTenant(stack, noisy);
        String quietToken = Tokens.fetch(stack, DemoTenants.FABRIKAM_CLIENT);
        var client = Http.webClient();
        AtomicBoolean loading = new AtomicBoolean(true);
        ConcurrentLinkedQueue<Integer> noisyStatuses = new ConcurrentLinkedQueue<>();
        var load = Flux.range(0, Integer.MAX_VALUE)
                .takeWhile(i -> loading.get())
                .flatMap(
                        i -> client.get()
                                .uri(stack.apiUrl() + "/api/v1/operations")
                                .headers(h -> h.setBearerAuth(noisyToken))
                                .exchangeToMono(r -> r.releaseBody()
                                        .thenReturn(r.statusCode().value()))
                                .onErrorReturn(-1),
                        8)
                .doOnNext(noisyStatuses::add)
                .subscribe();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> noisyStatuses.contains(429));
            List<Long> quietMillis = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                long start = System.nanoTime();
                Integer status = client.get()
                        .uri(stack.apiUrl() + "/api/v1/operations")
                        .headers(h -> h.setBearerAuth(quietToken))
                        .exchangeToMono(
                                r -> r.releaseBody().thenReturn(r.statusCode().value()))
                        .block(Duration.ofSeconds(30));
                quietMillis.add((System.nanoTime() - start) / 1_000_000);
                assertThat(status).as("the quiet tenant's call %d", i).isEqualTo(200);
            }
            quietMillis.sort(null);
            System.out.printf(
                    "quiet tenant beside a throttled one: median %d ms, max %d ms over %d calls; noisy: %d calls, %d refused%n",
                    quietMillis.get(quietMillis.size() / 2),
                    quietMillis.getLast(),
                    quietMillis.size(),
                    noisyStatuses.size(),
                    noisyStatuses.stream().filter(s -> s == 429).count());
        } finally {
            loading.set(false);
            load.dispose();
        }
        assertThat(noisyStatuses).contains(429).doesNotContain(500, 503, -1);
    }

    @Test
    void jobsInFlightAreLimitedPerTenant() {
        String tenant = Tokens.newTenantId();
        admin.register(tenant, "{\"plan\":\"local\",\"quotas\":{\"jobsInFlight\":2}}");
        String token = Tokens.forTenant(stack, tenant);
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            var accepted = Jobs.submit(api, token, "delay", "{\"seconds\":120}", "Prefer", "respond-async");
            assertThat(accepted.getStatus().value()).isEqualTo(202);
            jobs.add(accepted.getResponseHeaders().getLocation().getPath());
        }

        var refused = Jobs.submit(api, token, "delay", "{\"seconds\":120}", "Prefer", "respond-async");

        assertThat(refused.getStatus().value()).isEqualTo(429);
        assertThat(refused.getResponseHeaders().getFirst(HttpHeaders.RETRY_AFTER))
                .isNotBlank();
        assertThat(json(refused).get("type").asString()).isEqualTo("urn:flowgate:problem:quota-exceeded");
        assertThat(refusals(tenant, "jobs-in-flight")).isEqualTo(1);
        assertThat(body(admin.get(tenant)).get("usage").get("jobsInFlight").asInt())
                .isEqualTo(2);
        // Another tenant is not affected by this one's limit.
        String other = Tokens.fetch(stack, DemoTenants.FABRIKAM_CLIENT);
        assertThat(Jobs.submit(api, other, "delay", "{\"seconds\":0}")
                        .getStatus()
                        .value())
                .isEqualTo(200);

        api.delete()
                .uri(jobs.getFirst())
                .headers(h -> h.setBearerAuth(token))
                .exchange()
                .expectStatus()
                .isNoContent();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> Jobs.submit(api, token, "delay", "{\"seconds\":120}", "Prefer", "respond-async")
                                .getStatus()
                                .value()
                        == 202);
        admin.offboard(tenant).expectStatus().isOk();
    }

    @Test
    void theBodySizeLimitIsPerTenantWithOrWithoutADeclaredLength() {
        String tenant = Tokens.newTenantId();
        admin.register(tenant, "{\"plan\":\"local\",\"quotas\":{\"maxBodyBytes\":200}}");
        String token = Tokens.forTenant(stack, tenant);
        String big = "{\"seconds\":0,\"note\":\"" + "x".repeat(400) + "\"}";

        var declared = Jobs.submit(api, token, "delay", big);
        assertThat(declared.getStatus().value()).isEqualTo(413);
        assertThat(json(declared).get("detail").asString()).contains("200 bytes");

        var chunked = api.post()
                .uri("/api/v1/operations/delay")
                .headers(h -> h.setBearerAuth(token))
                .contentType(MediaType.APPLICATION_JSON)
                .body(
                        Flux.just(big.substring(0, 150), big.substring(150)).delayElements(Duration.ofMillis(1)),
                        String.class)
                .exchange()
                .expectBody(String.class)
                .returnResult();
        assertThat(chunked.getStatus().value()).isEqualTo(413);
        assertThat(JSON.readTree(chunked.getResponseBody()).get("type").asString())
                .isEqualTo("urn:flowgate:problem:payload-too-large");

        String contoso = Tokens.fetch(stack, DemoTenants.CONTOSO_CLIENT);
        assertThat(Jobs.submit(api, contoso, "delay", big).getStatus().value()).isEqualTo(200);
        assertThat(Jobs.submit(api, token, "delay", "{\"seconds\":0}")
                        .getStatus()
                        .value())
                .isEqualTo(200);
    }

    @Test
    void anIdempotencyKeyIsScopedToItsTenant() {
        String contoso = Tokens.fetch(stack, DemoTenants.CONTOSO_CLIENT);
        String fabrikam = Tokens.fetch(stack, DemoTenants.FABRIKAM_CLIENT);
        String key = "shared-key-" + Tokens.newTenantId();

        var first = Jobs.submit(
                api, contoso, "delay", "{\"seconds\":0}", "Idempotency-Key", key, "Prefer", "respond-async");
        var other = Jobs.submit(
                api, fabrikam, "delay", "{\"seconds\":1}", "Idempotency-Key", key, "Prefer", "respond-async");

        assertThat(first.getStatus().value()).isEqualTo(202);
        assertThat(other.getStatus().value())
                .as("not a 422: the key is the other tenant's")
                .isEqualTo(202);
        assertThat(json(other).get("jobId").asString())
                .isNotEqualTo(json(first).get("jobId").asString());
    }

    @Test
    void aConnectionsDelegatedTokenFromTheAuthorizationCodeFlowIsAccepted() {
        // What Power Platform holds for a connection: a user's token, got with PKCE, for the connector's client.
        String token = Tokens.delegated(stack, io.flowgate.issuer.DemoTenants.FABRIKAM, "alice");
        var result = Jobs.submit(api, token, "jsonata-transform", "{\"expression\":\"a + 1\",\"document\":{\"a\":1}}");
        assertThat(result.getStatus().value()).as(result.getResponseBody()).isEqualTo(200);
        assertThat(result.getResponseBody()).contains("\"result\":2");
    }
}
