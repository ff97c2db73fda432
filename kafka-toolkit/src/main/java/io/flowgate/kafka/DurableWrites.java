package io.flowgate.kafka;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;

/**
 * The one way Flowgate's background services write a record that must not be lost: wait until Kafka
 * has it (the producer is acks=all), and try again with a growing pause while the failure may pass
 * (Kafka away, a timeout, a leader change), but never for a record Kafka can never take (too large,
 * invalid, not serializable): that is {@link Unwritable} at once, so no loop holds a partition for good.
 *
 * <p>An interrupt does not end the write (a job's stop signal arrives as one, and its final status
 * must still be written); the caller's {@code stop} decides when trying is pointless.
 */
public final class DurableWrites {

    private static final Logger log = LoggerFactory.getLogger(DurableWrites.class);
    private static final Duration FIRST_PAUSE = Duration.ofMillis(200);
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(60);

    private DurableWrites() {}

    /**
     * Sends with {@code send} until Kafka acknowledges.
     *
     * @param what what is written, for the log
     * @param send starts one attempt (a {@code KafkaTemplate.send}, say)
     * @param stop checked after each failed attempt: true ends the write with {@link Stopped}
     * @param maxPause the longest pause between attempts
     * @throws Unwritable when the record itself is at fault
     * @throws Stopped when {@code stop} turned true first
     */
    public static void write(String what, Supplier<? extends Future<?>> send, BooleanSupplier stop, Duration maxPause) {
        Duration pause = FIRST_PAUSE;
        while (true) {
            try {
                send.get().get(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                return;
            } catch (InterruptedException e) {
                Thread.interrupted(); // see the class comment
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                if (isPermanent(cause)) {
                    log.warn("{} can never be written: {}", what, cause.toString());
                    throw new Unwritable(cause);
                }
                log.warn("Could not write {}; trying again in {}", what, pause, e);
            }
            if (stop.getAsBoolean()) {
                throw new Stopped();
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.interrupted();
            }
            if (stop.getAsBoolean()) {
                throw new Stopped();
            }
            pause = pause.multipliedBy(2).compareTo(maxPause) > 0 ? maxPause : pause.multipliedBy(2);
        }
    }

    /**
     * Whether {@code failure}, or any of its causes, says the record itself is at fault: too large for
     * the producer or the broker, invalid, or not serializable. Such a write fails the same way every
     * time; anything else may pass on a retry.
     */
    public static boolean isPermanent(@Nullable Throwable failure) {
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

    /** The record can never be written (too large for Kafka, invalid, or not serializable). */
    public static final class Unwritable extends RuntimeException {
        public Unwritable(Throwable cause) {
            super("the record cannot be written: " + cause, cause);
        }
    }

    /** The caller's stop condition turned true before the write succeeded. */
    public static final class Stopped extends RuntimeException {
        public Stopped() {
            super("stopped before the record was written", null, false, false);
        }
    }
}
