package io.flowgate.dispatcher.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What follows an attempt, for every class of answer, {@code Retry-After} form and attempt count. */
class AttemptOutcomeTests {

    /** Three attempts in all: waits of 10 s and 60 s, no jitter, Retry-After capped at 5 minutes. */
    private static final RetrySchedule SCHEDULE = new RetrySchedule(
            List.of(Duration.ofSeconds(10), Duration.ofSeconds(60)),
            0,
            Duration.ofMinutes(5),
            RandomGenerator.of("L64X128MixRandom"));

    private static CallbackSender.Answer status(int status) {
        return new CallbackSender.Answer(status, null, null, false);
    }

    private static CallbackSender.Answer status(int status, Duration retryAfter) {
        return new CallbackSender.Answer(status, retryAfter, null, false);
    }

    private static final CallbackSender.Answer NO_ANSWER = CallbackSender.Answer.failed("connection refused");
    private static final CallbackSender.Answer REFUSED_ADDRESS =
            new CallbackSender.Answer(null, null, "address not allowed: 10.0.0.1", true);

    static Stream<Arguments> table() {
        return Stream.of(
                // answer, attempt, outcome, delay of a retry, receiver's fault (for the breaker)
                Arguments.of(status(200), 1, AttemptOutcome.Delivered.class, null, false),
                Arguments.of(status(204), 3, AttemptOutcome.Delivered.class, null, false),
                Arguments.of(status(299), 1, AttemptOutcome.Delivered.class, null, false),
                Arguments.of(status(404), 1, AttemptOutcome.Gone.class, null, false),
                Arguments.of(status(410), 2, AttemptOutcome.Gone.class, null, false),
                Arguments.of(status(301), 1, AttemptOutcome.DeadLetter.class, null, false),
                Arguments.of(status(302), 1, AttemptOutcome.DeadLetter.class, null, false),
                Arguments.of(status(400), 1, AttemptOutcome.DeadLetter.class, null, false),
                Arguments.of(status(401), 1, AttemptOutcome.DeadLetter.class, null, false),
                Arguments.of(status(403), 1, AttemptOutcome.DeadLetter.class, null, false),
                Arguments.of(status(413), 1, AttemptOutcome.DeadLetter.class, null, false),
                Arguments.of(status(422), 1, AttemptOutcome.DeadLetter.class, null, false),
                Arguments.of(REFUSED_ADDRESS, 1, AttemptOutcome.DeadLetter.class, null, false),
                Arguments.of(status(408), 1, AttemptOutcome.Retry.class, Duration.ofSeconds(10), true),
                Arguments.of(status(429), 1, AttemptOutcome.Retry.class, Duration.ofSeconds(10), true),
                Arguments.of(
                        status(429, Duration.ofSeconds(3)), 1, AttemptOutcome.Retry.class, Duration.ofSeconds(3), true),
                Arguments.of(
                        status(429, Duration.ofHours(2)), 1, AttemptOutcome.Retry.class, Duration.ofMinutes(5), true),
                Arguments.of(status(500), 1, AttemptOutcome.Retry.class, Duration.ofSeconds(10), true),
                Arguments.of(
                        status(500, Duration.ofSeconds(3)),
                        1,
                        AttemptOutcome.Retry.class,
                        Duration.ofSeconds(10),
                        true),
                Arguments.of(status(502), 2, AttemptOutcome.Retry.class, Duration.ofSeconds(60), true),
                Arguments.of(
                        status(503, Duration.ofSeconds(30)),
                        2,
                        AttemptOutcome.Retry.class,
                        Duration.ofSeconds(30),
                        true),
                Arguments.of(status(504), 2, AttemptOutcome.Retry.class, Duration.ofSeconds(60), true),
                Arguments.of(NO_ANSWER, 1, AttemptOutcome.Retry.class, Duration.ofSeconds(10), true),
                Arguments.of(NO_ANSWER, 2, AttemptOutcome.Retry.class, Duration.ofSeconds(60), true),
                // the last attempt: whatever would be retried is dead-lettered
                Arguments.of(status(500), 3, AttemptOutcome.DeadLetter.class, null, true),
                Arguments.of(status(429, Duration.ofSeconds(3)), 3, AttemptOutcome.DeadLetter.class, null, true),
                Arguments.of(NO_ANSWER, 3, AttemptOutcome.DeadLetter.class, null, true),
                // ... but a success or a gone on the last attempt is still that
                Arguments.of(status(200), 3, AttemptOutcome.Delivered.class, null, false),
                Arguments.of(status(410), 3, AttemptOutcome.Gone.class, null, false));
    }

    @ParameterizedTest(name = "{0}, attempt {1} -> {2}")
    @MethodSource("table")
    void outcome(
            CallbackSender.Answer answer,
            int attempt,
            Class<? extends AttemptOutcome> expected,
            @Nullable Duration delay,
            boolean receiversFault) {
        AttemptOutcome outcome = AttemptOutcome.of(answer, attempt, SCHEDULE);

        assertThat(outcome).isInstanceOf(expected);
        assertThat(outcome.status()).isEqualTo(answer.status());
        if (outcome instanceof AttemptOutcome.Retry retry) {
            assertThat(retry.delay()).isEqualTo(delay);
            assertThat(retry.reason()).isNotBlank();
        }
        if (outcome instanceof AttemptOutcome.DeadLetter dead) {
            assertThat(dead.reason()).isNotBlank();
            if (attempt == SCHEDULE.maxAttempts() && receiversFault) {
                assertThat(dead.reason()).startsWith("attempts exhausted (3)");
            }
        }
        assertThat(AttemptOutcome.isReceiverFault(answer)).isEqualTo(receiversFault);
    }
}
