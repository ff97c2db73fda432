package io.flowgate.api.job;

import io.flowgate.api.replica.InternalRoute;
import io.flowgate.api.replica.ReplicaClient;
import io.flowgate.api.replica.StoreRoutes;
import io.flowgate.api.replica.ViewBarrier;
import io.flowgate.contracts.JobStatus;
import io.flowgate.contracts.Topics;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A job's status wherever it lives: the status view is partitioned among the api-service replicas
 * by job id, so a job another replica owns is read there, on its internal port. A read may wait for
 * the job to end (a synchronous action, a cancel), which the owner does with its own {@link
 * JobStatusUpdates}: the replica that took the request need not own the job.
 *
 * <p>Also the internal route the other replicas read this one's jobs through.
 */
@Component
class JobStatuses implements InternalRoute {

    private static final Logger log = LoggerFactory.getLogger(JobStatuses.class);
    private static final String PATH = "/internal/v1/jobs/";
    private static final Duration OWNER_RETRY = Duration.ofMillis(500);

    private final JobStatusView view;
    private final JobStatusUpdates updates;
    private final StoreRoutes routes;
    private final ReplicaClient replicas;
    private final ViewBarrier barrier;
    private final Duration maxWait;
    private final Serializer<JobStatus> serializer =
            Topics.JOB_STATUS.valueSerde().serializer();
    private final Deserializer<JobStatus> deserializer =
            Topics.JOB_STATUS.valueSerde().deserializer();

    JobStatuses(
            JobStatusView view,
            JobStatusUpdates updates,
            StoreRoutes routes,
            ReplicaClient replicas,
            ViewBarrier barrier,
            io.flowgate.api.config.ApiProperties properties) {
        this.barrier = barrier;
        this.view = view;
        this.updates = updates;
        this.routes = routes;
        this.replicas = replicas;
        this.maxWait = properties.maxWait();
    }

    /**
     * The job's status if it belongs to {@code tenantId}: at once when {@code wait} is zero, else once
     * the job has ended or {@code wait} has passed, whichever is first (then its status at that time).
     * Fails with {@link JobStatusView.StatusViewUnavailable} when the replica owning the job cannot
     * answer now (restoring, rebalancing, unreachable) and this one did not accept the job itself.
     */
    Mono<Optional<JobStatus>> find(String tenantId, String jobId, Duration wait) {
        if (wait.isZero()) {
            return once(tenantId, jobId, wait, false);
        }
        // A wait outlives its owner if need be: when the owner stops answering (killed, or the job's
        // partition moved), ask whoever owns the job next, until the wait is over.
        long deadline = System.nanoTime() + wait.toNanos();
        return Mono.defer(() -> once(tenantId, jobId, left(deadline), false))
                .onErrorResume(
                        JobStatusView.StatusViewUnavailable.class,
                        e -> left(deadline).compareTo(OWNER_RETRY) > 0
                                ? Mono.delay(OWNER_RETRY).then(Mono.defer(() -> find(tenantId, jobId, left(deadline))))
                                : Mono.error(e));
    }

    /**
     * The job's status now, with "not found" settled: the owner's view first catches up with every job
     * written to the job's partition so far ({@link ViewBarrier}), so a job accepted a moment ago
     * through another replica is found. For a cancel, which must not miss the job it is sent for.
     */
    Mono<Optional<JobStatus>> findSettled(String tenantId, String jobId) {
        return once(tenantId, jobId, Duration.ZERO, true);
    }

    private static Duration left(long deadline) {
        long nanos = deadline - System.nanoTime();
        return nanos <= 0 ? Duration.ZERO : Duration.ofNanos(nanos);
    }

    private Mono<Optional<JobStatus>> once(String tenantId, String jobId, Duration wait, boolean settled) {
        StoreRoutes.Route route = routes.route(JobStatusTopology.STORE, jobId);
        if (route instanceof StoreRoutes.Remote remote) {
            return remote(remote.owner(), tenantId, jobId, wait, settled);
        }
        return settled ? settled(tenantId, jobId, route) : local(tenantId, jobId, wait);
    }

    private Mono<Optional<JobStatus>> remote(
            HostInfo owner, String tenantId, String jobId, Duration wait, boolean settled) {
        String path = PATH + jobId + "?tenant=" + URLEncoder.encode(tenantId, StandardCharsets.UTF_8) + "&wait="
                + wait.toMillis() + (settled ? "&settled=true" : "");
        return replicas.read(owner, path, wait, bytes -> deserializer.deserialize(Topics.JOB_STATUS.name(), bytes))
                .map(found -> {
                    found.ifPresent(status -> view.seenByOwner(jobId));
                    return found.or(() -> view.recentlyAccepted(tenantId, jobId));
                })
                .onErrorResume(ReplicaClient.OwnerUnavailable.class, e -> {
                    log.warn("No answer for job {}: {}", jobId, e.getMessage());
                    Optional<JobStatus> ours = view.recentlyAccepted(tenantId, jobId);
                    return ours.isPresent() ? Mono.just(ours) : Mono.error(new JobStatusView.StatusViewUnavailable(e));
                });
    }

    /** Reads (and waits) in this replica's own view. */
    private Mono<Optional<JobStatus>> local(String tenantId, String jobId, Duration wait) {
        if (wait.isZero()) {
            return read(tenantId, jobId);
        }
        // Registered before the first read: a job that ends between the two is still seen.
        JobStatusUpdates.Waiter waiter = updates.register(jobId);
        return readQuietly(tenantId, jobId)
                .flatMap(now -> {
                    if (now.isPresent() && now.get().state().isTerminal()) {
                        return Mono.just(now);
                    }
                    return waiter.await(wait)
                            .filter(status -> status.tenantId().equals(tenantId))
                            .map(Optional::of)
                            .switchIfEmpty(Mono.defer(() -> now.isPresent()
                                    ? readQuietly(tenantId, jobId).map(later -> later.isPresent() ? later : now)
                                    : read(tenantId, jobId)));
                })
                .doFinally(signal -> waiter.cancel());
    }

    /** Reads this replica's view now; what it does not hold is looked for again after a barrier. */
    private Mono<Optional<JobStatus>> settled(String tenantId, String jobId, StoreRoutes.Route route) {
        return route instanceof StoreRoutes.Local local
                ? barrier.settled(
                        Topics.JOBS.name(),
                        local.partition(),
                        () -> read(tenantId, jobId),
                        JobStatusView.StatusViewUnavailable::new)
                : read(tenantId, jobId);
    }

    /** The store takes a lock its writer also takes: read on bounded-elastic, never on an event loop. */
    private Mono<Optional<JobStatus>> read(String tenantId, String jobId) {
        return Mono.fromCallable(() -> view.find(tenantId, jobId)).subscribeOn(Schedulers.boundedElastic());
    }

    private Mono<Optional<JobStatus>> readQuietly(String tenantId, String jobId) {
        return read(tenantId, jobId)
                .onErrorResume(JobStatusView.StatusViewUnavailable.class, e -> Mono.just(Optional.empty()));
    }

    @Override
    public String path() {
        return PATH + "{jobId}";
    }

    /** Another replica reads a job this one owns: 200 with its status, 404, or 503 when not ours (now). */
    @Override
    public Mono<Answer> get(Request request) {
        String jobId = request.path("jobId");
        Optional<String> tenantId = request.query("tenant");
        if (tenantId.isEmpty() || !JobIds.isWellFormed(jobId)) {
            return Mono.just(Answer.notFound());
        }
        StoreRoutes.Route route = routes.route(JobStatusTopology.STORE, jobId);
        if (route instanceof StoreRoutes.Remote) {
            return Mono.just(Answer.unavailable()); // moved away since the caller looked: it asks again
        }
        Duration wait = request.query("wait")
                .map(Long::parseLong)
                .map(Duration::ofMillis)
                .filter(w -> !w.isNegative())
                .map(w -> w.compareTo(maxWait) > 0 ? maxWait : w)
                .orElse(Duration.ZERO);
        Mono<Optional<JobStatus>> status = request.query("settled").isPresent()
                ? settled(tenantId.get(), jobId, route)
                : local(tenantId.get(), jobId, wait);
        return status.map(found -> found.map(s -> Answer.ok(serializer.serialize(Topics.JOB_STATUS.name(), s)))
                        .orElseGet(Answer::notFound))
                .onErrorResume(JobStatusView.StatusViewUnavailable.class, e -> Mono.just(Answer.unavailable()));
    }
}
