package io.flowgate.dispatcher.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RetryScheduleTests {

    private static final List<Duration> DEFAULT = List.of(
            Duration.ofSeconds(5),
            Duration.ofMinutes(5),
            Duration.ofMinutes(30),
            Duration.ofHours(2),
            Duration.ofHours(5),
            Duration.ofHours(10),
            Duration.ofHours(10));

    @Test
    void theDefaultScheduleSpansAboutADayInEightAttempts() {
        RetrySchedule schedule = new RetrySchedule(DEFAULT, 0.2, Duration.ofHours(6), new Random(1));
        assertThat(schedule.maxAttempts()).isEqualTo(8);
        assertThat(schedule.span()).isBetween(Duration.ofHours(24), Duration.ofHours(30));
        assertThat(schedule.after(8, null)).isEmpty();
    }

    @Test
    void waitsStayWithinTheJitterAndVary() {
        RetrySchedule schedule = new RetrySchedule(DEFAULT, 0.2, Duration.ofHours(6), new Random(7));
        List<Duration> waits = java.util.stream.IntStream.range(0, 200)
                .mapToObj(i -> schedule.after(2, null).orElseThrow())
                .toList();
        assertThat(waits)
                .allMatch(w -> w.compareTo(Duration.ofMinutes(4)) >= 0 && w.compareTo(Duration.ofMinutes(6)) <= 0);
        assertThat(waits.stream().distinct().count()).isGreaterThan(100);
    }

    @Test
    void retryAfterReplacesTheWaitUpToTheCap() {
        RetrySchedule schedule = new RetrySchedule(DEFAULT, 0.2, Duration.ofHours(6), new Random(1));
        assertThat(schedule.after(1, Duration.ofSeconds(90))).contains(Duration.ofSeconds(90));
        assertThat(schedule.after(1, Duration.ofDays(3))).contains(Duration.ofHours(6));
        assertThat(schedule.after(8, Duration.ofSeconds(1))).isEmpty();
    }
}
