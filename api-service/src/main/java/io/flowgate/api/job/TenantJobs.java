package io.flowgate.api.job;

import io.flowgate.api.config.ApiProperties;
import io.flowgate.api.config.CommandLog;
import io.flowgate.api.problem.FlowgateProblem;
import io.flowgate.api.replica.InternalRoute;
import io.flowgate.api.replica.ReplicaClient;
import io.flowgate.api.replica.StoreRoutes;
import io.flowgate.contracts.JobStatus;
import io.flowgate.contracts.JsonSerde;
import io.flowgate.contracts.Topics;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A tenant's jobs as a whole, for the operator: how many are in flight, and the purge at offboarding.
 * The status view is partitioned among the api-service replicas, so both ask every replica for its
 * part (on the internal port; this class is also that route) and fail rather than answer a part.
 */
@Service
public class TenantJobs implements InternalRoute {

    private static final String PATH = "/internal/v1/tenants/";
    private static final JsonSerde<Held> HELD = JsonSerde.of(Held.class);

    private static final Logger log = LoggerFactory.getLogger(TenantJobs.class);

    private final JobStatusView view;
    private final JobStatuses statuses;
    private final JobCommands commands;
    private final CommandLog commandLog;
    private final InFlightJobs inFlight;
    private final ApiProperties properties;
    private final StoreRoutes routes;
    private final ReplicaClient replicas;

    TenantJobs(
            StoreRoutes routes,
            ReplicaClient replicas,
            JobStatusView view,
            JobStatuses statuses,
            JobCommands commands,
            CommandLog commandLog,
            InFlightJobs inFlight,
            ApiProperties properties) {
        this.routes = routes;
        this.replicas = replicas;
        this.view = view;
        this.statuses = statuses;
        this.commands = commands;
        this.commandLog = commandLog;
        this.inFlight = inFlight;
        this.properties = properties;
    }

    /** What a purge did. */
    public record Purge(int jobs, int cancelled) {}

    /** What one replica holds of a tenant's jobs: its count in flight, and the jobs when asked for them. */
    record Held(int inFlight, List<JobStatus> jobs) {}

    /** The tenant's jobs accepted and not finished, on every replica. */
    public Mono<Integer> inFlight(String tenantId) {
        return replicas.readAll(routes.others(), path(tenantId, false), ReplicaClient.json(HELD))
                .map(others -> inFlight.count(tenantId)
                        + others.stream().mapToInt(Held::inFlight).sum())
                .onErrorMap(ReplicaClient.OwnerUnavailable.class, this::unavailable);
    }

    /** Every job of the tenant, on every replica. */
    private Mono<List<JobStatus>> everywhere(String tenantId) {
        Mono<List<JobStatus>> here = Mono.fromCallable(() -> view.allOf(tenantId))
                .subscribeOn(Schedulers.boundedElastic())
                .onErrorMap(JobStatusView.StatusViewUnavailable.class, this::unavailable);
        Mono<List<Held>> there = replicas.readAll(
                        routes.others(), path(tenantId, true) + "&purge=true", ReplicaClient.json(HELD))
                .onErrorMap(ReplicaClient.OwnerUnavailable.class, this::unavailable);
        return Mono.zip(here, there, (local, others) -> {
            Map<String, JobStatus> all = new LinkedHashMap<>();
            local.forEach(job -> all.put(job.jobId(), job));
            others.forEach(held -> held.jobs().forEach(job -> all.putIfAbsent(job.jobId(), job)));
            return List.copyOf(all.values());
        });
    }

    private FlowgateProblem unavailable(Throwable cause) {
        return FlowgateProblem.temporarilyUnavailable(
                "Job statuses are being restored or a replica is unreachable; retry shortly (it is idempotent).",
                properties.unavailableRetryAfter(),
                cause);
    }

    private static String path(String tenantId, boolean list) {
        return PATH + URLEncoder.encode(tenantId, StandardCharsets.UTF_8) + "/jobs" + (list ? "?list=true" : "");
    }

    @Override
    public String path() {
        return PATH + "{tenantId}/jobs";
    }

    /** Another replica asks for this one's part of a tenant's jobs. */
    @Override
    public Mono<Answer> get(Request request) {
        String tenantId = request.path("tenantId");
        boolean list = request.query("list").isPresent();
        boolean purge = request.query("purge").isPresent();
        return Mono.fromCallable(() -> {
                    Held held = new Held(inFlight.count(tenantId), list ? view.allOf(tenantId) : List.of());
                    if (purge) {
                        // Listed for a purge of an offboarded tenant: stop vouching for the jobs this
                        // replica accepted and its view has not seen (the purger tombstones them).
                        view.forgetAccepted(tenantId);
                    }
                    return held;
                })
                .subscribeOn(Schedulers.boundedElastic())
                .map(held -> Answer.ok(HELD.serialize("internal", held)))
                .onErrorResume(JobStatusView.StatusViewUnavailable.class, e -> Mono.just(Answer.unavailable()));
    }

    /**
     * Cancels the tenant's job if it has not finished (an unsubscribe does this); completes at once
     * for a finished, unknown or other tenant's job.
     */
    public Mono<Void> cancelIfUnfinished(String tenantId, String jobId) {
        return JobService.unavailableWhileRestoring(statuses.findSettled(tenantId, jobId), properties)
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
        return everywhere(tenantId).flatMap(jobs -> purge(tenantId, jobs));
    }

    private Mono<Purge> purge(String tenantId, List<JobStatus> jobs) {
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
