package io.flowgate.api.tenant;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.flowgate.contracts.TenantQuotas;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.Objects;
import org.springframework.stereotype.Component;

/**
 * One token bucket per tenant (Bucket4j): {@code burst} requests at once, refilled at
 * {@code requestsPerSecond}. Buckets live in this replica's memory and are dropped when a tenant has
 * been idle for a while; a change of quota starts a fresh bucket.
 */
@Component
class RequestRateLimiter {

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
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        return probe.isConsumed() ? Duration.ZERO : Duration.ofNanos(probe.getNanosToWaitForRefill());
    }
}
