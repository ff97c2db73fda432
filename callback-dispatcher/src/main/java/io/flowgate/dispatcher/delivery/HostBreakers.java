package io.flowgate.dispatcher.delivery;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Scheduler;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * One resilience4j circuit breaker per destination host and tenant. Keyed by tenant too, so that one
 * tenant's failing flows cannot open the circuit for another tenant's callbacks to the same Logic
 * Apps host. A breaker unused for {@code evictIdleAfter} is dropped with its metrics.
 */
final class HostBreakers {

    private final CircuitBreakerRegistry registry;
    private final Cache<String, CircuitBreaker> breakers;

    HostBreakers(DispatcherProperties.Breaker settings, MeterRegistry meters) {
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(settings.window())
                .minimumNumberOfCalls(settings.minimumCalls())
                .failureRateThreshold(settings.failureRate())
                .waitDurationInOpenState(settings.openFor())
                .permittedNumberOfCallsInHalfOpenState(2)
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .build();
        this.registry = CircuitBreakerRegistry.of(config);
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(meters);
        this.breakers = Caffeine.newBuilder()
                .expireAfterAccess(settings.evictIdleAfter())
                .scheduler(Scheduler.systemScheduler())
                .<String, CircuitBreaker>removalListener((name, breaker, cause) -> {
                    if (name != null) {
                        registry.remove(name);
                    }
                })
                .build();
    }

    /** The breaker of callbacks from {@code tenantId} to {@code authority} (host:port). */
    CircuitBreaker of(String tenantId, String authority) {
        return breakers.get(tenantId + "/" + authority, registry::circuitBreaker);
    }

    /** Breakers held now. */
    long size() {
        breakers.cleanUp();
        return breakers.estimatedSize();
    }
}
