package io.flowgate.api.tenant;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.flowgate.api.replica.StoreRoutes;
import io.flowgate.contracts.TenantQuotas;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.Objects;
import java.util.function.IntSupplier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * One token bucket per tenant (Bucket4j): {@code burst} requests at once, refilled at
 * {@code requestsPerSecond}. Buckets live in this replica's memory and are dropped when a tenant has
 * been idle for a while; a change of quota starts a fresh bucket.
 *
 * <p>With n api-service replicas behind a load balancer that spreads requests, each takes n tokens
 * per request (at most the burst): each replica admits its 1/n of the tenant's rate, so together they
 * admit the plan's rate rather than n times it (docs/architecture.md, Scaling out, states the
 * accuracy).
 */
@Component
class RequestRateLimiter {

    private final IntSupplier replicas;

    @Autowired
    RequestRateLimiter(ObjectProvider<StoreRoutes> routes) {
        StoreRoutes found = routes.getIfAvailable();
        this.replicas = found == null ? () -> 1 : found::replicas;
    }

    RequestRateLimiter(IntSupplier replicas) {
        this.replicas = replicas;
    }

    private final Cache<Key, Bucket> buckets =
            Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(10)).build();

    private record Key(String tenantId, int requestsPerSecond, int burst) {}

    /**
     * Takes one request from the tenant's bucket.
     *
     * @return zero when the request may go ahead, otherwise how long until it could
     */
    Duration take(String tenantId, TenantQuotas quotas) {
        int rate = Objects.requireNonNull(quotas.requestsPerSecond());
        int burst = Math.max(rate, Objects.requireNonNull(quotas.burst()));
        Bucket bucket = buckets.get(
                new Key(tenantId, rate, burst),
                key -> Bucket.builder()
                        .addLimit(limit -> limit.capacity(key.burst())
                                .refillGreedy(key.requestsPerSecond(), Duration.ofSeconds(1)))
                        .build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(Math.min(replicas.getAsInt(), burst));
        return probe.isConsumed() ? Duration.ZERO : Duration.ofNanos(probe.getNanosToWaitForRefill());
    }
}
