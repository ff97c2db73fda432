package io.flowgate.api.subscription;

import io.flowgate.api.replica.InternalRoute;
import io.flowgate.api.replica.ReplicaClient;
import io.flowgate.api.replica.StoreRoutes;
import io.flowgate.api.replica.ViewBarrier;
import io.flowgate.api.subscription.SubscriptionService.Report;
import io.flowgate.contracts.JsonSerde;
import io.flowgate.contracts.Topics;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A subscription and its delivery log wherever they live: the subscription view is partitioned among
 * the api-service replicas by subscription id, so one another replica owns is read on that replica's
 * internal port (docs/architecture.md, Scaling out). Also the internal route for the other replicas.
 */
@Component
class SubscriptionReads implements InternalRoute {

    private static final Logger log = LoggerFactory.getLogger(SubscriptionReads.class);
    private static final String PATH = "/internal/v1/subscriptions/";
    private static final JsonSerde<Report> REPORTS = JsonSerde.of(Report.class);

    private final SubscriptionView view;
    private final StoreRoutes routes;
    private final ReplicaClient replicas;
    private final ViewBarrier barrier;

    SubscriptionReads(SubscriptionView view, StoreRoutes routes, ReplicaClient replicas, ViewBarrier barrier) {
        this.view = view;
        this.routes = routes;
        this.replicas = replicas;
        this.barrier = barrier;
    }

    /**
     * The subscription with its delivery log, if it belongs to {@code tenantId}. Fails with {@link
     * SubscriptionView.Unavailable} when the replica owning it cannot answer now and this one did not
     * create it itself.
     *
     * @param settled whether "not found" must be settled: the owner's view first catches up with every
     *     write made to the subscription's partition so far ({@link ViewBarrier}), so a subscription
     *     created a moment ago through another replica is found. An unsubscribe needs that; a subscribe
     *     does not wait for it (two identical subscribes through two replicas within a commit interval
     *     may both write, docs/architecture.md)
     */
    Mono<Optional<Report>> find(String tenantId, String subscriptionId, boolean settled) {
        StoreRoutes.Route route = routes.route(SubscriptionTopology.SUBSCRIPTIONS, subscriptionId);
        if (route instanceof StoreRoutes.Remote remote) {
            return remote(remote.owner(), tenantId, subscriptionId, settled);
        }
        return local(tenantId, subscriptionId, route, settled);
    }

    private Mono<Optional<Report>> remote(HostInfo owner, String tenantId, String subscriptionId, boolean settled) {
        String path = PATH + subscriptionId + "?tenant=" + URLEncoder.encode(tenantId, StandardCharsets.UTF_8)
                + (settled ? "&settled=true" : "");
        return replicas.read(owner, path, Duration.ZERO, ReplicaClient.json(REPORTS))
                .map(found -> {
                    if (found.isPresent() || settled) {
                        // The owner has it now, or has settled that it is gone (removed through another
                        // replica): either way this replica's memory of creating it is no longer news.
                        view.removed(subscriptionId);
                        return found;
                    }
                    return createdHere(tenantId, subscriptionId);
                })
                .onErrorResume(ReplicaClient.OwnerUnavailable.class, e -> {
                    log.warn("No answer for subscription {}: {}", subscriptionId, e.getMessage());
                    Optional<Report> ours = createdHere(tenantId, subscriptionId);
                    return ours.isPresent() ? Mono.just(ours) : Mono.error(new SubscriptionView.Unavailable(e));
                });
    }

    private Optional<Report> createdHere(String tenantId, String subscriptionId) {
        return view.recentlyCreated(tenantId, subscriptionId).map(s -> new Report(s, DeliveryLog.EMPTY));
    }

    /**
     * Reads this replica's view. What it does not hold may have been written a moment ago through
     * another replica (a subscribe answered there, then an unsubscribe sent here): when {@code
     * settled}, the view catches up with everything written to the subscription's partition so far
     * before answering "not found".
     */
    private Mono<Optional<Report>> local(
            String tenantId, String subscriptionId, StoreRoutes.Route route, boolean settled) {
        return settled && route instanceof StoreRoutes.Local local
                ? barrier.settled(
                        Topics.SUBSCRIPTIONS.name(),
                        local.partition(),
                        () -> read(tenantId, subscriptionId),
                        SubscriptionView.Unavailable::new)
                : read(tenantId, subscriptionId);
    }

    /** The stores take a lock their writer also takes: read on bounded-elastic, never on an event loop. */
    private Mono<Optional<Report>> read(String tenantId, String subscriptionId) {
        return Mono.fromCallable(() ->
                        view.find(tenantId, subscriptionId).map(s -> new Report(s, view.deliveries(subscriptionId))))
                .subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public String path() {
        return PATH + "{subscriptionId}";
    }

    /** Another replica reads a subscription this one owns: 200, 404, or 503 when not ours (now). */
    @Override
    public Mono<Answer> get(Request request) {
        String subscriptionId = request.path("subscriptionId");
        Optional<String> tenantId = request.query("tenant");
        if (tenantId.isEmpty()) {
            return Mono.just(Answer.notFound());
        }
        StoreRoutes.Route route = routes.route(SubscriptionTopology.SUBSCRIPTIONS, subscriptionId);
        if (route instanceof StoreRoutes.Remote) {
            return Mono.just(Answer.unavailable()); // moved away since the caller looked: it asks again
        }
        boolean settled = request.query("settled").isPresent();
        return local(tenantId.get(), subscriptionId, route, settled)
                .map(found -> found.map(r -> Answer.ok(REPORTS.serialize("internal", r)))
                        .orElseGet(Answer::notFound))
                .onErrorResume(SubscriptionView.Unavailable.class, e -> Mono.just(Answer.unavailable()));
    }
}
