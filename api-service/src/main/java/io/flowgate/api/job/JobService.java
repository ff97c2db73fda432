package io.flowgate.api.job;

import com.networknt.schema.Error;
import io.flowgate.api.config.ApiProperties;
import io.flowgate.api.operation.OperationCatalog;
import io.flowgate.api.problem.FlowgateProblem;
import io.flowgate.api.problem.InvalidRequest;
import io.flowgate.api.problem.ProblemTypes;
import io.flowgate.api.tenant.TenantRefusals;
import io.flowgate.api.tenant.TenantRegistry;
import io.flowgate.contracts.JobStatus;
import io.flowgate.contracts.JobSubmitted;
import io.flowgate.contracts.OperationDescriptor;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Submits, reads and cancels jobs for one tenant at a time. Answers are domain results ({@link
 * JobReport}); refusals are {@link FlowgateProblem}s; the controller makes the HTTP answers.
 */
@Service
public class JobService {

    private static final Logger log = LoggerFactory.getLogger(JobService.class);
    private static final Duration CANCEL_VISIBLE_WITHIN = Duration.ofSeconds(5);
    private static final Duration JOBS_IN_FLIGHT_RETRY_AFTER = Duration.ofSeconds(10);

    private final OperationCatalog catalog;
    private final JobCommands commands;
    private final JobStatusView view;
    private final JobStatuses statuses;
    private final JobStatusUpdates updates;
    private final ApiProperties properties;
    private final JobIds ids;
    private final Clock clock;
    private final MeterRegistry meters;
    private final TenantRegistry tenants;
    private final TenantRefusals refusals;
    private final InFlightJobs inFlight;

    JobService(
            OperationCatalog catalog,
            JobCommands commands,
            JobStatusView view,
            JobStatuses statuses,
            JobStatusUpdates updates,
            ApiProperties properties,
            Clock clock,
            MeterRegistry meters,
            TenantRegistry tenants,
            InFlightJobs inFlight,
            TenantRefusals refusals) {
        this.tenants = tenants;
        this.refusals = refusals;
        this.inFlight = inFlight;
        this.catalog = catalog;
        this.commands = commands;
        this.view = view;
        this.statuses = statuses;
        this.updates = updates;
        this.properties = properties;
        this.ids = new JobIds(properties.idSecret());
        this.clock = clock;
        this.meters = meters;
        meters.gauge("flowgate.api.sync.waiting", updates, JobStatusUpdates::waiting);
    }

    /** A request to run an operation. */
    record Submission(
            String tenantId,
            String operation,
            JsonNode input,
            @Nullable String idempotencyKey,
            Prefer prefer,
            Map<String, String> correlation) {}

    Mono<JobReport> submit(Submission request) {
        OperationDescriptor operation = operation(request.operation());
        validate(operation, request.input());
        String hash = RequestHash.of(operation.name(), request.input());
        Duration wait = request.prefer().effectiveWait(operation.waitBudget(), properties.maxWait());

        if (request.idempotencyKey() != null) {
            String jobId = ids.idempotent(request.tenantId(), checkKey(request.idempotencyKey()));
            // While the view restores it cannot tell a retry from a first submit: answering 503 (the
            // engine retries) rather than writing the job again, which would run it twice.
            return findOrUnavailable(request.tenantId(), jobId).flatMap(existing -> {
                if (existing.isPresent()) {
                    if (!existing.get().requestHash().equals(hash)) {
                        return Mono.error(FlowgateProblem.idempotencyKeyReused());
                    }
                    return answerAfterWait(existing.get(), wait);
                }
                return accept(request, operation, jobId, hash, wait);
            });
        }
        return accept(request, operation, ids.timed(clock.instant()), hash, wait);
    }

    Mono<JobReport> status(String tenantId, String jobId) {
        if (!JobIds.isWellFormed(jobId)) {
            return Mono.error(FlowgateProblem.jobNotFound());
        }
        return statuses.find(tenantId, jobId, Duration.ZERO)
                .<JobReport>map(found -> found.<JobReport>map(JobReport.Known::new)
                        .orElseGet(() -> {
                            // Issued a moment ago, perhaps by another replica, and not in its owner's view yet
                            // (the view lags its topic by a commit, more after a rebalance): accepted, poll
                            // again. Any unknown id of that age answers the same, so nothing is told about
                            // another tenant's jobs.
                            if (JobIds.issuedWithin(jobId, clock.instant(), properties.acceptedGrace())) {
                                return new JobReport.Restoring(jobId);
                            }
                            throw FlowgateProblem.jobNotFound();
                        }))
                .onErrorResume(
                        JobStatusView.StatusViewUnavailable.class, e -> Mono.just(new JobReport.Restoring(jobId)));
    }

    /** Cancels the job unless it has ended; completes once this replica's view shows it final. */
    Mono<Void> cancel(String tenantId, String jobId) {
        if (!JobIds.isWellFormed(jobId)) {
            return Mono.error(FlowgateProblem.jobNotFound());
        }
        return unavailableWhileRestoring(statuses.findSettled(tenantId, jobId), properties)
                .flatMap(found -> {
                    JobStatus current = found.orElseThrow(FlowgateProblem::jobNotFound);
                    if (current.state().isTerminal()) {
                        return Mono.empty();
                    }
                    // Answer once the job's view shows it final, so a poll right after reads the cancel.
                    return commands.cancel(current).flatMap(cancelled -> {
                        log.info("Job {} of tenant {} cancelled on request", jobId, tenantId);
                        return statuses.find(tenantId, jobId, CANCEL_VISIBLE_WITHIN)
                                .onErrorResume(JobStatusView.StatusViewUnavailable.class, e -> Mono.empty())
                                .then();
                    });
                });
    }

    /**
     * The job of a webhook subscription (the webhook action): the input is checked against the
     * operation's schema and the job takes a place in the tenant's jobs in flight, which {@link
     * #abandoned} gives back if the job is not written.
     *
     * @throws FlowgateProblem 404 for an unknown operation, 400 for an invalid input, 429 over quota
     */
    public JobSubmitted draftForSubscription(
            String tenantId,
            String operationName,
            JsonNode input,
            Map<String, String> correlation,
            String subscriptionId) {
        OperationDescriptor operation = operation(operationName);
        validate(operation, input);
        Instant now = clock.instant();
        JobSubmitted job = new JobSubmitted(
                tenantId,
                ids.timed(now),
                operation.name(),
                input,
                RequestHash.of(operation.name(), input),
                now,
                now.plus(properties.jobDeadline()),
                correlation,
                subscriptionId);
        reserve(tenantId, job.jobId());
        return job;
    }

    /** The job drafted for a subscription was written: this replica vouches for it at once. */
    public void written(JobSubmitted job) {
        view.accepted(JobStatus.accepted(job));
        inFlight.written(job.tenantId(), job.jobId());
        meters.counter("flowgate.api.jobs.accepted", "operation", job.operation(), "tenant", job.tenantId())
                .increment();
    }

    /** The job drafted for a subscription was not written: give its place back. */
    public void abandoned(JobSubmitted job) {
        inFlight.release(job.tenantId(), job.jobId());
    }

    private OperationDescriptor operation(String name) {
        return catalog.find(name).orElseThrow(() -> FlowgateProblem.operationNotFound(name));
    }

    private void reserve(String tenantId, String jobId) {
        int limit = Objects.requireNonNull(tenants.quotasOf(tenantId).jobsInFlight());
        if (!inFlight.tryReserve(tenantId, jobId, limit)) {
            refusals.refused(tenantId, "jobs-in-flight");
            throw FlowgateProblem.quotaExceeded(
                    "Too many jobs in flight",
                    "The tenant has " + limit + " jobs accepted and not finished, its limit; retry once some"
                            + " have finished.",
                    limit,
                    JOBS_IN_FLIGHT_RETRY_AFTER);
        }
    }

    private Mono<JobReport> accept(
            Submission request, OperationDescriptor operation, String jobId, String hash, Duration wait) {
        Instant now = clock.instant();
        JobSubmitted job = new JobSubmitted(
                request.tenantId(),
                jobId,
                operation.name(),
                request.input(),
                hash,
                now,
                now.plus(properties.jobDeadline()),
                request.correlation(),
                null);
        reserve(request.tenantId(), jobId);
        return commands.submit(job)
                .doOnError(e -> inFlight.release(request.tenantId(), jobId))
                .flatMap(accepted -> {
                    view.accepted(accepted);
                    inFlight.written(accepted.tenantId(), jobId);
                    meters.counter(
                                    "flowgate.api.jobs.accepted",
                                    "operation",
                                    operation.name(),
                                    "tenant",
                                    accepted.tenantId())
                            .increment();
                    log.info(
                            "Accepted job {} ({}) for tenant {} {}",
                            jobId,
                            operation.name(),
                            request.tenantId(),
                            request.correlation());
                    if (wait.isZero()) {
                        return Mono.just(known(accepted));
                    }
                    return answerAfterWait(accepted, wait);
                });
    }

    /**
     * Waits up to {@code wait} for the job to end, on whichever replica owns it, and answers its
     * status then (or {@code status} if nothing newer can be read).
     */
    private Mono<JobReport> answerAfterWait(JobStatus status, Duration wait) {
        if (status.state().isTerminal() || wait.isZero()) {
            return Mono.just(known(status));
        }
        return statuses.find(status.tenantId(), status.jobId(), wait)
                .onErrorResume(JobStatusView.StatusViewUnavailable.class, e -> Mono.just(Optional.empty()))
                .map(latest -> known(latest.orElse(status)));
    }

    private static JobReport known(JobStatus status) {
        return new JobReport.Known(status);
    }

    private Mono<Optional<JobStatus>> findOrUnavailable(String tenantId, String jobId) {
        return unavailableWhileRestoring(statuses.find(tenantId, jobId, Duration.ZERO), properties);
    }

    /** A 503 problem, retried by the flow engine, while the view restores or the owner cannot answer. */
    static Mono<Optional<JobStatus>> unavailableWhileRestoring(
            Mono<Optional<JobStatus>> read, ApiProperties properties) {
        return read.onErrorMap(
                JobStatusView.StatusViewUnavailable.class,
                e -> FlowgateProblem.temporarilyUnavailable(
                        "Job statuses are being restored; retry shortly.", properties.unavailableRetryAfter(), e));
    }

    private void validate(OperationDescriptor operation, JsonNode input) {
        List<Error> errors = catalog.inputSchema(operation).validate(input);
        if (!errors.isEmpty()) {
            List<Map<String, String>> details = errors.stream()
                    .map(e -> {
                        Map<String, String> d = new LinkedHashMap<>();
                        d.put("pointer", e.getInstanceLocation().toString());
                        d.put("keyword", e.getKeyword());
                        d.put("message", e.getMessage());
                        return d;
                    })
                    .toList();
            throw new InvalidRequest(
                    ProblemTypes.INVALID_INPUT,
                    "Invalid input",
                    "The input does not match the input schema of '" + operation.name() + "'.",
                    details);
        }
    }

    private static String checkKey(String key) {
        if (key.isEmpty() || key.length() > 255 || !key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
            throw new InvalidRequest(
                    ProblemTypes.INVALID_IDEMPOTENCY_KEY,
                    "Invalid Idempotency-Key",
                    "An Idempotency-Key is 1 to 255 visible ASCII characters.");
        }
        return key;
    }
}
