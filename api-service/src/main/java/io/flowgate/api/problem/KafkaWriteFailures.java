package io.flowgate.api.problem;

import java.time.Duration;
import org.apache.kafka.common.errors.RecordTooLargeException;

/** What a failed Kafka write means for the caller. */
public final class KafkaWriteFailures {

    private KafkaWriteFailures() {}

    /**
     * 413 when the request would make a record larger than Kafka accepts (no retry can help, so
     * not a 503 that flow engines retry); 503 with {@code Retry-After} for everything else (Kafka
     * away, a timeout).
     */
    public static FlowgateProblem problem(Throwable e, Duration retryAfter) {
        if (e instanceof FlowgateProblem problem) {
            return problem;
        }
        if (isRecordTooLarge(e)) {
            return FlowgateProblem.payloadTooLarge(
                    "The request is too large to be stored: it would make a record larger than this service's"
                            + " Kafka accepts. Nothing was accepted; send a smaller body.",
                    e);
        }
        return FlowgateProblem.kafkaUnavailable(retryAfter, e);
    }

    /** Whether {@code e} is, or was caused by, Kafka refusing a record for its size. */
    public static boolean isRecordTooLarge(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RecordTooLargeException) {
                return true;
            }
        }
        return false;
    }
}
