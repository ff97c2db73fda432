package io.flowgate.api.job;

import io.flowgate.api.tenant.Tenants;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * The standard action and the asynchronous polling action (docs/api.md): submit, poll
 * and cancel a job.
 */
@RestController
public class JobController {

    /** Logic Apps and Power Automate correlation headers carried from the request into the job. */
    static final List<String> CORRELATION_HEADERS =
            List.of("x-ms-client-tracking-id", "x-ms-workflow-run-id", "x-ms-workflow-name", "x-ms-correlation-id");

    private final JobService jobs;
    private final JobAnswers answers;

    JobController(JobService jobs, JobAnswers answers) {
        this.jobs = jobs;
        this.answers = answers;
    }

    @PostMapping(
            path = "/api/v1/operations/{operation}",
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = {MediaType.APPLICATION_JSON_VALUE, MediaType.APPLICATION_PROBLEM_JSON_VALUE})
    Mono<ResponseEntity<?>> submit(
            @AuthenticationPrincipal Jwt token,
            @PathVariable String operation,
            @RequestBody JsonNode input,
            @RequestHeader HttpHeaders headers) {
        var submission = new JobService.Submission(
                Tenants.of(token),
                operation,
                input,
                headers.getFirst("Idempotency-Key"),
                Prefer.parse(headers.getOrEmpty("Prefer")),
                correlation(headers));
        return Mono.defer(() -> jobs.submit(submission)).map(answers::answerSubmit);
    }

    @GetMapping(path = "/api/v1/jobs/{jobId}")
    Mono<ResponseEntity<?>> status(@AuthenticationPrincipal Jwt token, @PathVariable String jobId) {
        return Mono.defer(() -> jobs.status(Tenants.of(token), jobId)).map(answers::answer);
    }

    @DeleteMapping(path = "/api/v1/jobs/{jobId}")
    Mono<ResponseEntity<?>> cancel(@AuthenticationPrincipal Jwt token, @PathVariable String jobId) {
        return Mono.defer(() -> jobs.cancel(Tenants.of(token), jobId))
                .thenReturn(ResponseEntity.noContent().build());
    }

    /** The correlation headers of a request, each at most 256 characters. */
    public static Map<String, String> correlation(HttpHeaders headers) {
        Map<String, String> correlation = new LinkedHashMap<>();
        for (String name : CORRELATION_HEADERS) {
            String value = headers.getFirst(name);
            if (value != null && value.length() <= 256) {
                correlation.put(name, value);
            }
        }
        return correlation;
    }
}
