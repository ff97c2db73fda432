package io.flowgate.api.problem;

import java.time.Duration;
import java.util.Map;

/** Kafka could not take a write in time: a transient fault the engine should retry (503). */
public final class KafkaUnavailable extends FlowgateProblem {

    public KafkaUnavailable(Duration retryAfter, Throwable cause) {
        super(
                503,
                ProblemTypes.TEMPORARILY_UNAVAILABLE,
                "Temporarily unavailable",
                "The request could not be stored durably right now; nothing was accepted. Retry later.",
                retryAfter,
                Map.of(),
                cause);
    }
}
