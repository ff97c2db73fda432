package io.flowgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class WarmUpTests {

    @Test
    void aCurveIsSteadyWhenItsLastThreeWindowsLieWithinFivePercentOfTheirMean() {
        assertThat(WarmUp.isSteady(List.of(100.0, 900.0))).isFalse();
        assertThat(WarmUp.isSteady(List.of(100.0, 500.0, 900.0, 1000.0))).isFalse();
        assertThat(WarmUp.isSteady(List.of(100.0, 500.0, 980.0, 1000.0, 1020.0)))
                .isTrue();
        assertThat(WarmUp.isSteady(List.of(0.0, 0.0, 0.0)))
                .as("no throughput is not steady")
                .isFalse();
    }

    @Test
    void theWarmUpTimeIsWhenAWindowFirstReachedTheShareOfTheWarmThroughput() {
        var warmUp = new WarmUp(List.of(100.0, 500.0, 850.0, 980.0, 1000.0, 1020.0), Duration.ofSeconds(5), true);
        assertThat(warmUp.steadyThroughput()).isEqualTo(1000.0);
        assertThat(warmUp.timeTo(0.8)).isEqualTo(Duration.ofSeconds(15));
        assertThat(warmUp.timeTo(1.0)).isEqualTo(Duration.ofSeconds(25));
        assertThat(warmUp.figure())
                .containsEntry("steady", true)
                .containsEntry("secondsTo80PercentOfWarm", 15L)
                .containsEntry("secondsToSteady", 30L);
    }
}
