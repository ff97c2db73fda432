package io.flowgate.worker.job;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;

/** Tells a write that can never succeed from one worth retrying. */
final class WriteFailures {

    private WriteFailures() {}

    /**
     * Whether {@code failure}, or any of its causes, says the record itself is at fault: too large for
     * the producer or the broker, invalid, or not serializable. Such a write fails the same way every
     * time; anything else (Kafka unreachable, a timeout, a leader change) may pass on a retry.
     */
    static boolean isPermanent(@Nullable Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RecordTooLargeException
                    || t instanceof RecordBatchTooLargeException
                    || t instanceof InvalidRecordException
                    || t instanceof SerializationException
                    || t instanceof JacksonException) {
                return true;
            }
        }
        return false;
    }
}
