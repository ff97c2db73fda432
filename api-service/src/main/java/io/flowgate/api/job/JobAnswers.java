package io.flowgate.api.job;

import io.flowgate.api.config.ApiProperties;
import io.flowgate.api.operation.OperationCatalog;
import io.flowgate.contracts.JobError;
import io.flowgate.contracts.JobState;
import io.flowgate.contracts.JobStatus;
import io.flowgate.contracts.OperationDescriptor;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
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

    ResponseEntity<?> answer(JobStatus status) {
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
    ResponseEntity<?> pending(String jobId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("jobId", jobId);
        body.put("status", JobState.ACCEPTED);
        body.put("statusUrl", statusUrl(jobId));
        return accepted(jobId, DEFAULT_POLL_INTERVAL).body(body);
    }

    private ResponseEntity<?> running(JobStatus status) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("jobId", status.jobId());
        body.put("operation", status.operation());
        body.put("status", status.state());
        body.put("progress", status.progress());
        if (status.message() != null) {
            body.put("message", status.message());
        }
        body.put("statusUrl", statusUrl(status.jobId()));
        body.put("createdAt", status.createdAt());
        body.put("updatedAt", status.updatedAt());
        Duration interval = catalog.find(status.operation())
                .map(OperationDescriptor::pollInterval)
                .orElse(DEFAULT_POLL_INTERVAL);
        return accepted(status.jobId(), interval).body(body);
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
