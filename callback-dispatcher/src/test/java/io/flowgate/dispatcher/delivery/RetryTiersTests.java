package io.flowgate.dispatcher.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryTiersTests {

    private final RetryTiers tiers = new RetryTiers(
            List.of(Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofMinutes(1), Duration.ofMinutes(10)));

    @Test
    void aWaitGoesToTheLongestTierNotAboveIt() {
        assertThat(tiers.forWait(Duration.ofSeconds(1)).name()).isEqualTo("flowgate.callbacks.retry-5000ms.v1");
        assertThat(tiers.forWait(Duration.ofSeconds(5)).name()).isEqualTo("flowgate.callbacks.retry-5000ms.v1");
        assertThat(tiers.forWait(Duration.ofSeconds(59)).name()).isEqualTo("flowgate.callbacks.retry-5000ms.v1");
        assertThat(tiers.forWait(Duration.ofMinutes(7)).name()).isEqualTo("flowgate.callbacks.retry-60000ms.v1");
        assertThat(tiers.forWait(Duration.ofHours(10)).name()).isEqualTo("flowgate.callbacks.retry-3600000ms.v1");
    }

    @Test
    void tierTopicsAreKnownByName() {
        assertThat(tiers.topics()).hasSize(4);
        assertThat(tiers.shortest().name()).isEqualTo("flowgate.callbacks.retry-5000ms.v1");
        assertThat(tiers.delayOf("flowgate.callbacks.retry-600000ms.v1")).contains(Duration.ofMinutes(10));
        assertThat(tiers.delayOf("flowgate.callbacks.v1")).isEmpty();
    }
}
