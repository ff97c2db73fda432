package io.flowgate.kafka;

import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One reader thread kept alive by {@link Readers}. */
public final class Reader {

    private static final Logger log = LoggerFactory.getLogger(Reader.class);

    /**
     * What a reader is doing.
     *
     * @param up false from a failure until it reads again
     * @param lastError the failure that stopped it last, if it has not read since
     * @param since when it last failed, if it has not read since
     * @param restarts how often it was started again
     */
    public record State(
            boolean up,
            @Nullable String lastError,
            @Nullable Instant since,
            long restarts) {}

    private final String name;
    private final Consumer<Reader> loop;
    private final Counter restarts;
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    private final Thread thread;
    private volatile boolean stopping;
    private volatile boolean up = true; // not failed: a reader that has not read yet is starting, not broken
    private volatile boolean backingOff;
    private volatile @Nullable Throwable lastError;
    private volatile @Nullable Instant failedAt;
    private volatile Runnable onClosed = () -> {};
    /** The Kafka client the current life of the loop blocks in, woken up to stop it. */
    private volatile @Nullable KafkaConsumer<?, ?> client;

    Reader(String name, Consumer<Reader> loop, Counter restarts, Duration firstBackoff, Duration maxBackoff) {
        this.name = name;
        this.loop = loop;
        this.restarts = restarts;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
        this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this::supervise);
    }

    void start() {
        thread.start();
    }

    void onClosed(Runnable action) {
        this.onClosed = action;
    }

    private void supervise() {
        Duration backoff = firstBackoff;
        try {
            while (!stopping) {
                try {
                    try {
                        loop.accept(this);
                    } finally {
                        client = null;
                    }
                    if (stopping) {
                        return;
                    }
                    throw new IllegalStateException("the loop returned although the reader was not stopped");
                } catch (RuntimeException | Error e) {
                    if (stopping) {
                        return;
                    }
                    up = false;
                    lastError = e;
                    failedAt = Instant.now();
                    log.error("Reader {} failed; starting it again in {}", name, backoff, e);
                }
                try {
                    backingOff = true;
                    if (stopping) {
                        return;
                    }
                    Thread.sleep(backoff);
                } catch (InterruptedException e) {
                    if (stopping) {
                        return;
                    }
                } finally {
                    backingOff = false;
                }
                restarts.increment();
                backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
            }
        } finally {
            up = false;
            onClosed.run();
        }
    }

    /** Called by the loop whenever it has read (or polled) successfully: the reader is healthy. */
    public void up() {
        if (!up) {
            up = true;
            lastError = null;
            failedAt = null;
        }
    }

    /**
     * Names the Kafka client this life of the loop polls with: {@link #wakeUp()} and {@link #stop}
     * wake it. The loop still closes it itself.
     */
    public void attach(KafkaConsumer<?, ?> consumer) {
        this.client = consumer;
        if (stopping) {
            consumer.wakeup(); // stopped while the client was being made
        }
    }

    /** Wakes the current client up (its blocking call throws {@code WakeupException}), if there is one. */
    public void wakeUp() {
        KafkaConsumer<?, ?> current = client;
        if (current != null) {
            current.wakeup();
        }
    }

    /** Whether the reader reads. */
    public boolean isUp() {
        return up;
    }

    /** Whether {@link #stop} was called: the loop should return. */
    public boolean isStopping() {
        return stopping;
    }

    /** The reader's name (also its thread's). */
    public String name() {
        return name;
    }

    /** Its state, for health. */
    public State state() {
        Throwable error = lastError;
        return new State(up, error == null ? null : error.toString(), failedAt, (long) restarts.count());
    }

    /** Asks the loop to end, wakes its client up, and waits up to {@code timeout} for the thread to finish. */
    public void stop(Duration timeout) {
        stopping = true;
        wakeUp();
        if (Thread.currentThread() != thread) {
            if (backingOff) {
                thread.interrupt(); // only the back-off sleep: the loop itself ends through wakeUp
            }
            try {
                thread.join(timeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
