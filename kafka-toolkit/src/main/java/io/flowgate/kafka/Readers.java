package io.flowgate.kafka;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The reader threads of one service, each kept alive: a reader whose loop ends with an unexpected
 * exception is logged, reported DOWN, and started again after a back-off (1 s, doubling to 30 s),
 * with a fresh Kafka client. The service's health reads {@link #states()}: it says DOWN from the
 * moment a reader failed until the new loop reports that it reads again ({@link Reader#up()}).
 *
 * <p>Metrics: {@code flowgate.kafka.reader.up} (1 or 0) and {@code flowgate.kafka.reader.restarts}
 * per reader, and {@link SkippedRecords}' counter.
 */
public final class Readers {

    private final MeterRegistry meters;
    private final ObservationRegistry observations;
    private final Map<String, Reader> readers = new ConcurrentHashMap<>();
    private final Duration firstBackoff;
    private final Duration maxBackoff;

    /** Readers with the production back-off (1 s doubling to 30 s), observing nothing. */
    public Readers(MeterRegistry meters) {
        this(meters, ObservationRegistry.NOOP);
    }

    /**
     * Readers with the production back-off whose work loops observe each record they take, in the
     * trace its headers carry ({@link WorkLoop}).
     */
    public Readers(MeterRegistry meters, ObservationRegistry observations) {
        this(meters, observations, Duration.ofSeconds(1), Duration.ofSeconds(30));
    }

    /** Readers with another back-off between restarts (tests). */
    public Readers(MeterRegistry meters, Duration firstBackoff, Duration maxBackoff) {
        this(meters, ObservationRegistry.NOOP, firstBackoff, maxBackoff);
    }

    /** Readers that observe records, with another back-off between restarts (tests). */
    public Readers(MeterRegistry meters, ObservationRegistry observations, Duration firstBackoff, Duration maxBackoff) {
        this.meters = meters;
        this.observations = observations;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
    }

    /**
     * Starts {@code loop} on a platform thread named {@code name}. The loop creates its own Kafka
     * client each time it starts, calls {@link Reader#up()} whenever it has polled successfully, and
     * returns when {@link Reader#isStopping()}; any exception makes it start again.
     *
     * @throws IllegalStateException when a reader of that name is already running
     */
    public Reader start(String name, Consumer<Reader> loop) {
        Reader reader = new Reader(
                name, loop, meters.counter("flowgate.kafka.reader.restarts", "reader", name), firstBackoff, maxBackoff);
        if (readers.putIfAbsent(name, reader) != null) {
            throw new IllegalStateException("a reader named " + name + " is already running");
        }
        // Read through the map, so a reader started again under the same name (a lifecycle restart)
        // is the one reported, not the first one the gauge was registered with.
        Gauge.builder("flowgate.kafka.reader.up", readers, all -> {
                    Reader current = all.get(name);
                    return current == null || current.isUp() ? 1 : 0;
                })
                .description("1 while the reader reads, 0 from a failure until it reads again")
                .tag("reader", name)
                .register(meters);
        reader.onClosed(() -> readers.remove(name, reader));
        reader.start();
        return reader;
    }

    /** The skipping of unusable records for the reader {@code name}. */
    public SkippedRecords skipped(String name) {
        return new SkippedRecords(meters, name);
    }

    /** Where the work loops' observations of records go. */
    ObservationRegistry observations() {
        return observations;
    }

    /** Every running reader and its state, by name. */
    public Map<String, Reader.State> states() {
        Map<String, Reader.State> states = new TreeMap<>();
        readers.forEach((name, reader) -> states.put(name, reader.state()));
        return states;
    }
}
