package io.flowgate.api.subscription;

import io.flowgate.api.config.ApiProperties;
import io.flowgate.api.problem.FlowgateProblem;
import io.flowgate.api.replica.InternalRoute;
import io.flowgate.api.replica.ReplicaClient;
import io.flowgate.api.replica.StoreRoutes;
import io.flowgate.api.tenant.TenantIdSets;
import io.flowgate.contracts.JsonSerde;
import io.flowgate.contracts.Subscription;
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
 * A tenant's subscriptions as a whole: the active ones, for the subscriptions quota (kept true by the
 * subscription view, also after a restore), and the purge at offboarding.
 */
@Service
public class TenantSubscriptions implements InternalRoute {

    private static final String PATH = "/internal/v1/tenants/";
    private static final JsonSerde<Held> HELD = JsonSerde.of(Held.class);

    private static final Logger log = LoggerFactory.getLogger(TenantSubscriptions.class);

    private final TenantIdSets active = new TenantIdSets();
    private final SubscriptionView view;
    private final SubscriptionCommands commands;
    private final ApiProperties properties;
    private final StoreRoutes routes;
    private final ReplicaClient replicas;

    TenantSubscriptions(
            SubscriptionView view,
            SubscriptionCommands commands,
            ApiProperties properties,
            StoreRoutes routes,
            ReplicaClient replicas) {
        this.routes = routes;
        this.replicas = replicas;
        this.view = view;
        this.commands = commands;
        this.properties = properties;
    }

    /** What one replica holds of a tenant's subscriptions: its count, and the subscriptions when asked. */
    record Held(int active, List<Subscription> subscriptions) {}

    /** The tenant's active subscriptions, on every replica. */
    public Mono<Integer> active(String tenantId) {
        return replicas.readAll(routes.others(), path(tenantId, false), ReplicaClient.json(HELD))
                .map(others -> active.count(tenantId)
                        + others.stream().mapToInt(Held::active).sum())
                .onErrorMap(ReplicaClient.OwnerUnavailable.class, this::unavailable);
    }

    /** Every subscription of the tenant, on every replica. */
    private Mono<List<Subscription>> everywhere(String tenantId) {
        Mono<List<Subscription>> here = Mono.fromCallable(() -> view.allOf(tenantId))
                .subscribeOn(Schedulers.boundedElastic())
                .onErrorMap(SubscriptionView.Unavailable.class, this::unavailable);
        Mono<List<Held>> there = replicas.readAll(
                        routes.others(), path(tenantId, true) + "&purge=true", ReplicaClient.json(HELD))
                .onErrorMap(ReplicaClient.OwnerUnavailable.class, this::unavailable);
        return Mono.zip(here, there, (local, others) -> {
            Map<String, Subscription> all = new LinkedHashMap<>();
            local.forEach(s -> all.put(s.subscriptionId(), s));
            others.forEach(held -> held.subscriptions().forEach(s -> all.putIfAbsent(s.subscriptionId(), s)));
            return List.copyOf(all.values());
        });
    }

    private FlowgateProblem unavailable(Throwable cause) {
        return FlowgateProblem.temporarilyUnavailable(
                "Subscriptions are being restored or a replica is unreachable; retry shortly (it is idempotent).",
                properties.unavailableRetryAfter(),
                cause);
    }

    private static String path(String tenantId, boolean list) {
        return PATH + URLEncoder.encode(tenantId, StandardCharsets.UTF_8) + "/subscriptions"
                + (list ? "?list=true" : "");
    }

    @Override
    public String path() {
        return PATH + "{tenantId}/subscriptions";
    }

    /** Another replica asks for this one's part of a tenant's subscriptions. */
    @Override
    public Mono<Answer> get(Request request) {
        String tenantId = request.path("tenantId");
        boolean list = request.query("list").isPresent();
        boolean purge = request.query("purge").isPresent();
        return Mono.fromCallable(() -> {
                    Held held = new Held(active.count(tenantId), list ? view.allOf(tenantId) : List.of());
                    if (purge) {
                        // Listed for a purge of an offboarded tenant: stop vouching for the ones this
                        // replica created and its view has not seen (the purger tombstones them).
                        view.forgetCreated(tenantId);
                    }
                    return held;
                })
                .subscribeOn(Schedulers.boundedElastic())
                .map(held -> Answer.ok(HELD.serialize("internal", held)))
                .onErrorResume(SubscriptionView.Unavailable.class, e -> Mono.just(Answer.unavailable()));
    }

    /**
     * Removes every subscription of the tenant (tombstones): the dispatcher drops their pending
     * callbacks and their delivery logs go with them. Call it once the tenant is marked offboarded.
     */
    public Mono<Integer> purge(String tenantId) {
        return everywhere(tenantId).flatMap(all -> purge(tenantId, all));
    }

    private Mono<Integer> purge(String tenantId, List<Subscription> all) {
        return Flux.fromIterable(all)
                .concatMap(s -> commands.remove(s.subscriptionId()).then(Mono.fromRunnable(() -> forget(s))))
                .then(Mono.fromSupplier(() -> {
                    log.info("Purged {} subscriptions of tenant {}", all.size(), tenantId);
                    return all.size();
                }));
    }

    /**
     * Reserves a place for a new subscription; false at the tenant's limit. With several replicas each
     * counts the subscriptions in the view partitions it owns and allows its partitions' share of the
     * limit (subscription ids are random), as {@code InFlightJobs} does for jobs.
     */
    boolean tryReserve(String tenantId, String subscriptionId, int limit) {
        double share = routes.share(SubscriptionTopology.SUBSCRIPTIONS);
        int ours = share >= 1 ? limit : Math.max(1, (int) Math.ceil(limit * share));
        return active.tryReserve(tenantId, subscriptionId, ours);
    }

    /** The subscription was written: if another replica owns it, that replica counts it from now on. */
    void written(Subscription subscription) {
        if (routes.route(SubscriptionTopology.SUBSCRIPTIONS, subscription.subscriptionId())
                instanceof StoreRoutes.Remote) {
            active.remove(subscription.tenantId(), subscription.subscriptionId());
        }
    }

    void release(String tenantId, String subscriptionId) {
        active.remove(tenantId, subscriptionId);
    }

    void observed(Subscription subscription) {
        active.add(subscription.tenantId(), subscription.subscriptionId());
    }

    void forget(Subscription subscription) {
        active.remove(subscription.tenantId(), subscription.subscriptionId());
        view.removed(subscription.subscriptionId());
    }
}
