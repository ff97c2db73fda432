package io.flowgate.api.subscription;

import io.flowgate.api.config.ApiProperties;
import io.flowgate.api.problem.FlowgateProblem;
import io.flowgate.api.replica.StoreRoutes;
import io.flowgate.api.tenant.TenantIdSets;
import io.flowgate.contracts.Subscription;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A tenant's subscriptions as a whole: the active ones, for the subscriptions quota (kept true by the
 * subscription view, also after a restore), and the purge at offboarding.
 */
@Service
public class TenantSubscriptions {

    private static final Logger log = LoggerFactory.getLogger(TenantSubscriptions.class);

    private final TenantIdSets active = new TenantIdSets();
    private final SubscriptionView view;
    private final SubscriptionCommands commands;
    private final ApiProperties properties;
    private final StoreRoutes routes;

    TenantSubscriptions(
            SubscriptionView view, SubscriptionCommands commands, ApiProperties properties, StoreRoutes routes) {
        this.routes = routes;
        this.view = view;
        this.commands = commands;
        this.properties = properties;
    }

    /** The tenant's active subscriptions. */
    public int active(String tenantId) {
        return active.count(tenantId);
    }

    /**
     * Removes every subscription of the tenant (tombstones): the dispatcher drops their pending
     * callbacks and their delivery logs go with them. Call it once the tenant is marked offboarded.
     */
    public Mono<Integer> purge(String tenantId) {
        List<Subscription> all;
        try {
            all = view.allOf(tenantId);
        } catch (SubscriptionView.Unavailable e) {
            return Mono.error(FlowgateProblem.temporarilyUnavailable(
                    "Subscriptions are being restored; retry the offboarding shortly (it is idempotent).",
                    properties.unavailableRetryAfter(),
                    e));
        }
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
