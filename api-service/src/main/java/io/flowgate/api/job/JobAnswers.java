package io.flowgate.api.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.flowgate.api.config.ApiProperties;
import io.flowgate.api.operation.OperationCatalog;
import io.flowgate.contracts.JobError;
import io.flowgate.contracts.JobState;
import io.flowgate.contracts.JobStatus;
import io.flowgate.contracts.OperationDescriptor;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Turns a job status into the answer the asynchronous pattern expects: 202 with {@code Location} and
 * {@code Retry-After} while it runs, 200 with the result when it succeeded, and the job's stable
 * problem answer when it failed, was cancelled or expired.
 */
@Component
class JobAnswers {

    private static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);

    private final ApiProperties properties;
    private final OperationCatalog catalog;

    JobAnswers(ApiProperties properties, OperationCatalog catalog) {
        this.properties = properties;
        this.catalog = catalog;
    }

    /** The absolute status URL of a job. */
    URI statusUrl(String jobId) {
        return properties.publicUrl("/api/v1/jobs/" + jobId);
    }

    /** The body of a 202 while a job runs. */
    record Running(
            String jobId,
            String operation,
            JobState status,
            @Nullable Integer progress,

            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable
            String message,

            URI statusUrl,
            Instant createdAt,
            Instant updatedAt) {}

    /** The body of a 202 for a job whose status cannot be shown yet. */
    record Pending(String jobId, JobState status, URI statusUrl) {}

    /**
     * The answer to a submit. As {@link #answer}, except for a job that failed with a server-side
     * fault (a 5xx problem): the engine retries a 5xx answer to a POST by submitting again, which
     * would run the same work as a new job. That job's answer is 202 to its status URL instead, whose
     * GET answers the fault; the engine retries that GET, which only repeats the same answer.
     */
    ResponseEntity<?> answerSubmit(JobReport report) {
        if (report instanceof JobReport.Known known
                && known.status().state() == JobState.FAILED
                && (known.status().error() == null || known.status().error().status() >= 500)) {
            JobStatus status = known.status();
            return accepted(status.jobId(), Duration.ofSeconds(1))
                    .body(new Running(
                            status.jobId(),
                            status.operation(),
                            status.state(),
                            status.progress(),
                            status.message(),
                            statusUrl(status.jobId()),
                            status.createdAt(),
                            status.updatedAt()));
        }
        return answer(report);
    }

    /** The answer to a status poll (and to a submit, but see {@link #answerSubmit}). */
    ResponseEntity<?> answer(JobReport report) {
        return switch (report) {
            case JobReport.Known known -> answer(known.status());
            case JobReport.Restoring restoring -> pending(restoring.jobId());
        };
    }

    private ResponseEntity<?> answer(JobStatus status) {
        return switch (status.state()) {
            case ACCEPTED, RUNNING -> running(status);
            case SUCCEEDED ->
                ResponseEntity.ok()
                        .contentType(MediaType.APPLICATION_JSON)
                        .body(status.result() != null ? status.result() : JsonNodeFactory.instance.nullNode());
            case FAILED, CANCELLED, EXPIRED -> ended(status);
        };
    }

    /** 202 for a job whose status the view cannot show yet (restoring, rebalancing). */
    private ResponseEntity<?> pending(String jobId) {
        return accepted(jobId, DEFAULT_POLL_INTERVAL).body(new Pending(jobId, JobState.ACCEPTED, statusUrl(jobId)));
    }

    private ResponseEntity<?> running(JobStatus status) {
        Duration interval = catalog.find(status.operation())
                .map(OperationDescriptor::pollInterval)
                .orElse(DEFAULT_POLL_INTERVAL);
        return accepted(status.jobId(), interval)
                .body(new Running(
                        status.jobId(),
                        status.operation(),
                        status.state(),
                        status.progress(),
                        status.message(),
                        statusUrl(status.jobId()),
                        status.createdAt(),
                        status.updatedAt()));
    }

    private ResponseEntity.BodyBuilder accepted(String jobId, Duration retryAfter) {
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .location(statusUrl(jobId))
                .header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, retryAfter.toSeconds())))
                .contentType(MediaType.APPLICATION_JSON);
    }

    private ResponseEntity<?> ended(JobStatus status) {
        JobError error = status.error();
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.valueOf(error != null ? error.status() : 500),
                error != null ? error.detail() : "The job ended without a result.");
        if (error != null) {
            problem.setType(URI.create(error.type()));
            problem.setTitle(error.title());
            if (error.errors() != null && !error.errors().isEmpty()) {
                problem.setProperty("errors", error.errors());
            }
        }
        problem.setInstance(URI.create("/api/v1/jobs/" + status.jobId()));
        problem.setProperty("jobId", status.jobId());
        problem.setProperty("jobStatus", status.state());
        return ResponseEntity.status(problem.getStatus())
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }
}
