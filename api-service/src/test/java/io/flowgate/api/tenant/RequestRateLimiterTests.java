package io.flowgate.api.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowgate.contracts.TenantQuotas;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The per-tenant token bucket, with one replica and with several. */
class RequestRateLimiterTests {

    private static final TenantQuotas TEN_PER_SECOND = new TenantQuotas(10, 10, 100, 100, 1_000_000L);

    private static int admittedAtOnce(RequestRateLimiter limiter, String tenant) {
        int admitted = 0;
        while (limiter.take(tenant, TEN_PER_SECOND).isZero()) {
            admitted++;
        }
        return admitted;
    }

    @Test
    void oneReplicaAdmitsTheWholeBurst() {
        assertThat(admittedAtOnce(new RequestRateLimiter(() -> 1), "t1")).isEqualTo(10);
    }

    @Test
    void eachOfSeveralReplicasAdmitsItsShareSoTogetherTheyAdmitThePlansRate() {
        AtomicInteger replicas = new AtomicInteger(2);
        RequestRateLimiter one = new RequestRateLimiter(replicas::get);
        RequestRateLimiter other = new RequestRateLimiter(replicas::get);

        assertThat(admittedAtOnce(one, "t1") + admittedAtOnce(other, "t1")).isEqualTo(10);
        // The refusal says when a request would be admitted again: a replica's share refills at 1/n.
        assertThat(one.take("t1", TEN_PER_SECOND)).isPositive().isLessThanOrEqualTo(Duration.ofMillis(200));
    }

    @Test
    void moreReplicasThanTheBurstStillAdmitOneRequestEach() {
        RequestRateLimiter limiter = new RequestRateLimiter(() -> 50);

        assertThat(admittedAtOnce(limiter, "t1")).isEqualTo(1);
    }
}
