package io.flowgate.dispatcher.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HostBreakersTests {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private HostBreakers breakers(Duration evictIdleAfter) {
        return new HostBreakers(
                new DispatcherProperties.Breaker(50, 4, 4, Duration.ofMinutes(1), evictIdleAfter), meters);
    }

    @Test
    void failuresOpenTheCircuitOfOneTenantAndHostOnly() {
        HostBreakers breakers = breakers(Duration.ofHours(1));
        CircuitBreaker noisy = breakers.of("tenant-a", "prod-1.westus.logic.azure.com:443");
        for (int i = 0; i < 4; i++) {
            assertThat(noisy.tryAcquirePermission()).isTrue();
            noisy.onError(10, TimeUnit.MILLISECONDS, new IllegalStateException("503"));
        }
        assertThat(noisy.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(noisy.tryAcquirePermission()).isFalse();
        assertThat(breakers.of("tenant-a", "prod-1.westus.logic.azure.com:443")).isSameAs(noisy);
        assertThat(breakers.of("tenant-b", "prod-1.westus.logic.azure.com:443").tryAcquirePermission())
                .isTrue();
        assertThat(meters.find("resilience4j.circuitbreaker.state").gauges()).isNotEmpty();
    }

    @Test
    void idleBreakersAreEvictedWithTheirMetrics() {
        HostBreakers breakers = breakers(Duration.ofMillis(100));
        breakers.of("tenant-a", "host-1:443");
        breakers.of("tenant-a", "host-2:443");
        assertThat(breakers.size()).isEqualTo(2);

        await().atMost(Duration.ofSeconds(10)).until(() -> breakers.size() == 0);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> meters.find("resilience4j.circuitbreaker.state")
                        .tag("name", "tenant-a/host-1:443")
                        .gauges()
                        .isEmpty());
    }
}
