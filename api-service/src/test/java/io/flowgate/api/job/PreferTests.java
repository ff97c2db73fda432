package io.flowgate.api.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreferTests {

    private static final Duration BUDGET = Duration.ofSeconds(30);
    private static final Duration MAX = Duration.ofSeconds(100);

    @Test
    void withoutPreferenceTheOperationsBudgetApplies() {
        assertThat(Prefer.parse(List.of()).effectiveWait(BUDGET, MAX)).isEqualTo(BUDGET);
    }

    @Test
    void respondAsyncMeansNoWait() {
        assertThat(Prefer.parse(List.of("respond-async")).effectiveWait(BUDGET, MAX))
                .isZero();
        assertThat(Prefer.parse(List.of("Respond-Async, wait=10")).effectiveWait(BUDGET, MAX))
                .isZero();
    }

    @Test
    void waitSetsTheBudgetButNeverPastTheCap() {
        assertThat(Prefer.parse(List.of("wait=3")).effectiveWait(BUDGET, MAX)).isEqualTo(Duration.ofSeconds(3));
        assertThat(Prefer.parse(List.of("wait=\"4\"")).effectiveWait(BUDGET, MAX))
                .isEqualTo(Duration.ofSeconds(4));
        assertThat(Prefer.parse(List.of("wait=600")).effectiveWait(BUDGET, MAX)).isEqualTo(MAX);
    }

    @Test
    void preferencesSpreadOverHeadersAndParametersAreRead() {
        Prefer prefer = Prefer.parse(List.of("return=minimal; foo=bar", "wait=2;x=y"));
        assertThat(prefer.respondAsync()).isFalse();
        assertThat(prefer.waitFor()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void malformedWaitIsIgnored() {
        assertThat(Prefer.parse(List.of("wait=-1, wait=soon")).waitFor()).isNull();
    }
}
