package io.flowgate.api.job;

import io.flowgate.api.config.ApiProperties;
import io.flowgate.api.config.CommandLog;
import io.flowgate.api.problem.FlowgateProblem;
import io.flowgate.contracts.JobStatus;
import io.flowgate.contracts.Topics;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A tenant's jobs as a whole, for the operator: how many are in flight, and the purge at offboarding. */
@Service
public class TenantJobs {

    private static final Logger log = LoggerFactory.getLogger(TenantJobs.class);

    private final JobStatusView view;
    private final JobStatuses statuses;
    private final JobCommands commands;
    private final CommandLog commandLog;
    private final InFlightJobs inFlight;
    private final ApiProperties properties;

    TenantJobs(
            JobStatusView view,
            JobStatuses statuses,
            JobCommands commands,
            CommandLog commandLog,
            InFlightJobs inFlight,
            ApiProperties properties) {
        this.view = view;
        this.statuses = statuses;
        this.commands = commands;
        this.commandLog = commandLog;
        this.inFlight = inFlight;
        this.properties = properties;
    }

    /** What a purge did. */
    public record Purge(int jobs, int cancelled) {}

    /** The tenant's jobs accepted and not finished. */
    public int inFlight(String tenantId) {
        return inFlight.count(tenantId);
    }

    /**
     * Cancels the tenant's job if it has not finished (an unsubscribe does this); completes at once
     * for a finished, unknown or other tenant's job.
     */
    public Mono<Void> cancelIfUnfinished(String tenantId, String jobId) {
        return statuses.find(tenantId, jobId, Duration.ZERO)
                .onErrorMap(
                        JobStatusView.StatusViewUnavailable.class,
                        e -> FlowgateProblem.temporarilyUnavailable(
                                "Job statuses are being restored; retry shortly.",
                                properties.unavailableRetryAfter(),
                                e))
                .flatMap(status -> status.filter(s -> !s.state().isTerminal())
                        .map(s -> commands.cancel(s).then())
                        .orElse(Mono.empty()));
    }

    /**
     * Removes every job of the tenant: unfinished jobs are cancelled (workers stop them), then every
     * job's status gets a tombstone, which removes it from the compacted status topic and the view.
     * Call it once the tenant is marked offboarded, so nothing new arrives meanwhile.
     */
    public Mono<Purge> purge(String tenantId) {
        List<JobStatus> jobs;
        try {
            jobs = view.allOf(tenantId);
        } catch (JobStatusView.StatusViewUnavailable e) {
            return Mono.error(FlowgateProblem.temporarilyUnavailable(
                    "Job statuses are being restored; retry the offboarding shortly (it is idempotent).",
                    properties.unavailableRetryAfter(),
                    e));
        }
        List<JobStatus> unfinished =
                jobs.stream().filter(s -> !s.state().isTerminal()).toList();
        return Flux.fromIterable(unfinished)
                .concatMap(commands::cancel)
                .thenMany(Flux.fromIterable(jobs))
                .concatMap(job -> commandLog.write(Topics.JOB_STATUS, job.jobId(), null))
                .then(Mono.fromRunnable(() -> view.forgetAccepted(tenantId)))
                .then(Mono.fromSupplier(() -> {
                    log.info("Purged {} jobs of tenant {} ({} cancelled)", jobs.size(), tenantId, unfinished.size());
                    return new Purge(jobs.size(), unfinished.size());
                }));
    }
}
