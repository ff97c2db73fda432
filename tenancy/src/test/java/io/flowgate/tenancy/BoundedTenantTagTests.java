package io.flowgate.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class BoundedTenantTagTests {

    @Test
    void tenantsBeyondTheLimitAreCountedTogetherAsOther() {
        var meters = new SimpleMeterRegistry();
        meters.config().meterFilter(new BoundedTenantTag(2));
        for (String tenant : new String[] {"a", "b", "c", "d", "a", "c"}) {
            meters.counter("jobs", "operation", "x", "tenant", tenant).increment();
        }
        assertThat(meters.get("jobs").tag("tenant", "a").counter().count()).isEqualTo(2);
        assertThat(meters.get("jobs").tag("tenant", "b").counter().count()).isEqualTo(1);
        assertThat(meters.get("jobs").tag("tenant", "other").counter().count()).isEqualTo(3);
        assertThat(meters.find("jobs").tag("tenant", "c").counter()).isNull();
        assertThat(meters.get("jobs").tag("tenant", "other").counter().getId().getTag("operation"))
                .isEqualTo("x");
    }

    @Test
    void metersWithoutATenantAreLeftAlone() {
        var meters = new SimpleMeterRegistry();
        meters.config().meterFilter(new BoundedTenantTag(0));
        meters.counter("refusals", "reason", "rate").increment();
        assertThat(meters.get("refusals").tag("reason", "rate").counter().count())
                .isEqualTo(1);
    }
}
