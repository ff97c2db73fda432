package io.flowgate.api.job;

import static io.flowgate.api.security.WebSliceSecurity.tenant;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.when;
import static org.springframework.security.test.web.reactive.server.SecurityMockServerConfigurers.mockJwt;

import io.flowgate.api.operation.OperationCatalog;
import io.flowgate.api.problem.FlowgateProblem;
import io.flowgate.api.security.WebSliceSecurity;
import io.flowgate.api.tenant.TenantRegistry;
import io.flowgate.contracts.JobError;
import io.flowgate.contracts.JobState;
import io.flowgate.contracts.JobStatus;
import io.flowgate.contracts.OperationDescriptor;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
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
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The standard and polling actions over HTTP, in seconds: what each {@link JobReport} and each
 * refusal of the {@link JobService} looks like on the wire. The service is a mock here; the system
 * suite runs the same requests against the real stack.
 */
@WebFluxTest(controllers = JobController.class)
@Import({JobAnswers.class, WebSliceSecurity.class})
@TestPropertySource(locations = "classpath:web-slice.properties")
class JobWebTests {

    private static final String TID = "11111111-1111-4111-8111-111111111111";
    private static final String JOB = "j-0123456789abcdef0123456789abcdef";
    private static final Instant AT = Instant.parse("2026-12-03T10:00:00Z");

    @Autowired
    WebTestClient http;

    @MockitoBean
    JobService jobs;

    @MockitoBean
    OperationCatalog catalog;

    @MockitoBean
    TenantRegistry registry;

    @BeforeEach
    void setUp() {
        WebSliceSecurity.activeTenants(registry);
        when(catalog.find("echo"))
                .thenReturn(Optional.of(new OperationDescriptor(
                        "echo",
                        "Echo",
                        "Echoes",
                        JsonNodeFactory.instance.objectNode(),
                        JsonNodeFactory.instance.objectNode(),
                        Duration.ofSeconds(20),
                        Duration.ofSeconds(7))));
    }

    private static JobStatus status(JobState state) {
        return new JobStatus(TID, JOB, "echo", state, null, null, null, null, "hash", AT, AT);
    }

    private WebTestClient.ResponseSpec submit() {
        return http.mutateWith(tenant(TID))
                .post()
                .uri("/api/v1/operations/echo")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"message\":\"hi\"}")
                .exchange();
    }

    @Test
    void aRunningJobIs202WithLocationRetryAfterAndItsStatus() {
        when(jobs.submit(any())).thenReturn(Mono.just(new JobReport.Known(status(JobState.RUNNING))));
        submit().expectStatus()
                .isAccepted()
                .expectHeader()
                .valueEquals(HttpHeaders.LOCATION, "https://flowgate.example/api/v1/jobs/" + JOB)
                .expectHeader()
                .valueEquals(HttpHeaders.RETRY_AFTER, "7")
                .expectBody()
                .jsonPath("$.jobId")
                .isEqualTo(JOB)
                .jsonPath("$.status")
                .isEqualTo("RUNNING")
                .jsonPath("$.statusUrl")
                .isEqualTo("https://flowgate.example/api/v1/jobs/" + JOB)
                .jsonPath("$.message")
                .doesNotExist();
    }

    @Test
    void theRequestReachesTheServiceWithTheTenantKeyPreferenceAndCorrelation() {
        when(jobs.submit(any())).thenReturn(Mono.just(new JobReport.Known(status(JobState.ACCEPTED))));
        http.mutateWith(tenant(TID))
                .post()
                .uri("/api/v1/operations/echo")
                .contentType(MediaType.APPLICATION_JSON)
                .header("Idempotency-Key", "key-1")
                .header("Prefer", "respond-async")
                .header("x-ms-workflow-run-id", "run-7")
                .bodyValue("{\"message\":\"hi\"}")
                .exchange()
                .expectStatus()
                .isAccepted();
        var submitted = ArgumentCaptor.forClass(JobService.Submission.class);
        Mockito.verify(jobs).submit(submitted.capture());
        assertThat(submitted.getValue().tenantId()).isEqualTo(TID);
        assertThat(submitted.getValue().operation()).isEqualTo("echo");
        assertThat(submitted.getValue().idempotencyKey()).isEqualTo("key-1");
        assertThat(submitted.getValue().prefer().respondAsync()).isTrue();
        assertThat(submitted.getValue().correlation()).containsEntry("x-ms-workflow-run-id", "run-7");
    }

    @Test
    void aSucceededJobIs200WithItsResultAsTheBody() {
        JobStatus done = new JobStatus(
                TID,
                JOB,
                "echo",
                JobState.SUCCEEDED,
                100,
                null,
                JsonNodeFactory.instance.objectNode().put("echo", "hi"),
                null,
                "hash",
                AT,
                AT);
        when(jobs.status(TID, JOB)).thenReturn(Mono.just(new JobReport.Known(done)));
        http.mutateWith(tenant(TID))
                .get()
                .uri("/api/v1/jobs/" + JOB)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .json("{\"echo\":\"hi\"}");
    }

    @Test
    void aFailedJobIsItsOwnProblemWithTheJobIdAndState() {
        JobStatus failed = new JobStatus(
                TID,
                JOB,
                "echo",
                JobState.FAILED,
                null,
                null,
                null,
                new JobError("urn:flowgate:problem:operation-failed", "Operation failed", 422, "No such order", null),
                "hash",
                AT,
                AT);
        when(jobs.status(TID, JOB)).thenReturn(Mono.just(new JobReport.Known(failed)));
        http.mutateWith(tenant(TID))
                .get()
                .uri("/api/v1/jobs/" + JOB)
                .exchange()
                .expectStatus()
                .isEqualTo(422)
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type")
                .isEqualTo("urn:flowgate:problem:operation-failed")
                .jsonPath("$.jobId")
                .isEqualTo(JOB)
                .jsonPath("$.jobStatus")
                .isEqualTo("FAILED");
    }

    private static JobStatus failed(int status) {
        return new JobStatus(
                TID,
                JOB,
                "echo",
                JobState.FAILED,
                null,
                null,
                null,
                new JobError("urn:flowgate:problem:job-failed", "Job failed", status, "It broke", null),
                "hash",
                AT,
                AT);
    }

    @Test
    void aSubmitWhoseJobFailedWithAFaultIs202ToItsStatusNotA500TheEngineWouldResubmit() {
        when(jobs.submit(any())).thenReturn(Mono.just(new JobReport.Known(failed(500))));
        submit().expectStatus()
                .isAccepted()
                .expectHeader()
                .valueEquals(HttpHeaders.LOCATION, "https://flowgate.example/api/v1/jobs/" + JOB)
                .expectHeader()
                .valueEquals(HttpHeaders.RETRY_AFTER, "1")
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("FAILED");
        // The status URL answers the fault: a retried GET repeats it, and starts nothing.
        when(jobs.status(TID, JOB)).thenReturn(Mono.just(new JobReport.Known(failed(500))));
        http.mutateWith(tenant(TID))
                .get()
                .uri("/api/v1/jobs/" + JOB)
                .exchange()
                .expectStatus()
                .isEqualTo(500)
                .expectBody()
                .jsonPath("$.type")
                .isEqualTo("urn:flowgate:problem:job-failed");
    }

    @Test
    void aSubmitWhoseJobFailedOnItsInputAnswersTheProblemAtOnce() {
        when(jobs.submit(any())).thenReturn(Mono.just(new JobReport.Known(failed(400))));
        submit().expectStatus()
                .isEqualTo(400)
                .expectBody()
                .jsonPath("$.jobStatus")
                .isEqualTo("FAILED");
    }

    @Test
    void aJobTheViewCannotShowYetIs202AcceptedToBePolledAgain() {
        when(jobs.status(TID, JOB)).thenReturn(Mono.just(new JobReport.Restoring(JOB)));
        http.mutateWith(tenant(TID))
                .get()
                .uri("/api/v1/jobs/" + JOB)
                .exchange()
                .expectStatus()
                .isAccepted()
                .expectHeader()
                .exists(HttpHeaders.RETRY_AFTER)
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("ACCEPTED")
                .jsonPath("$.operation")
                .doesNotExist();
    }

    @Test
    void anUnknownJobIs404JobNotFound() {
        when(jobs.status(eq(TID), anyString())).thenReturn(Mono.error(FlowgateProblem.jobNotFound()));
        http.mutateWith(tenant(TID))
                .get()
                .uri("/api/v1/jobs/nope")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody()
                .jsonPath("$.type")
                .isEqualTo("urn:flowgate:problem:job-not-found")
                .jsonPath("$.instance")
                .isEqualTo("/api/v1/jobs/nope");
    }

    @Test
    void aQuotaRefusalIs429WithRetryAfterAndTheLimit() {
        when(jobs.submit(any()))
                .thenThrow(FlowgateProblem.quotaExceeded(
                        "Too many jobs in flight", "At the limit.", 5, Duration.ofSeconds(10)));
        submit().expectStatus()
                .isEqualTo(429)
                .expectHeader()
                .valueEquals(HttpHeaders.RETRY_AFTER, "10")
                .expectBody()
                .jsonPath("$.type")
                .isEqualTo("urn:flowgate:problem:quota-exceeded")
                .jsonPath("$.limit")
                .isEqualTo(5);
    }

    @Test
    void kafkaAwayIs503WithRetryAfter() {
        when(jobs.submit(any()))
                .thenReturn(Mono.error(
                        FlowgateProblem.kafkaUnavailable(Duration.ofSeconds(5), new TimeoutException("away"))));
        submit().expectStatus()
                .isEqualTo(503)
                .expectHeader()
                .valueEquals(HttpHeaders.RETRY_AFTER, "5")
                .expectBody()
                .jsonPath("$.type")
                .isEqualTo("urn:flowgate:problem:temporarily-unavailable");
    }

    @Test
    void aCancelIs204() {
        when(jobs.cancel(TID, JOB)).thenReturn(Mono.empty());
        http.mutateWith(tenant(TID))
                .delete()
                .uri("/api/v1/jobs/" + JOB)
                .exchange()
                .expectStatus()
                .isNoContent();
        Mockito.verify(jobs).cancel(TID, JOB);
    }

    @Test
    void aBodyThatIsNotJsonIs400AndAnotherMediaTypeIs415BothProblems() {
        http.mutateWith(tenant(TID))
                .post()
                .uri("/api/v1/operations/echo")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{not json")
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type")
                .isEqualTo("urn:flowgate:problem:malformed-request");
        http.mutateWith(tenant(TID))
                .post()
                .uri("/api/v1/operations/echo")
                .contentType(MediaType.TEXT_PLAIN)
                .bodyValue("hello")
                .exchange()
                .expectStatus()
                .isEqualTo(415)
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
        Mockito.verifyNoInteractions(jobs);
    }

    @Test
    void withoutTheScopeNothingReachesTheService() {
        http.mutateWith(mockJwt().jwt(jwt -> jwt.claim("tid", TID)))
                .get()
                .uri("/api/v1/jobs/" + JOB)
                .exchange()
                .expectStatus()
                .isForbidden();
        Mockito.verifyNoInteractions(jobs);
    }
}
