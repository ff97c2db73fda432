package io.flowgate.dispatcher.delivery;

import io.flowgate.contracts.CallbackRequested;
import io.flowgate.contracts.Topic;
import io.flowgate.contracts.Topics;
import io.flowgate.kafka.ConsumedOffsets;
import io.flowgate.kafka.Reader;
import io.flowgate.kafka.Readers;
import io.flowgate.kafka.SkippedRecords;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code flowgate.callbacks} and the retry tier topics (consumer group {@code
 * flowgate-dispatcher}) and hands each callback to the {@link Dispatcher}.
 *
 * <p>A tier record is handed over only once the tier's delay has passed since it was written: until
 * then its partition is paused at that record and resumed when it comes due, so no thread sleeps and
 * no delay is held in memory. Offsets are committed out of order ({@link ConsumedOffsets}): only
 * below the oldest callback whose fate is not yet durable. All reading and committing happens on one
 * thread.
 */
public final class CallbackConsumer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CallbackConsumer.class);
    private static final Duration MAX_POLL = Duration.ofMillis(200);
    static final String READER = "flowgate-dispatcher-callbacks";

    private final Dispatcher dispatcher;
    private final int maxPending;
    private final Clock clock;
    private final Map<String, Object> config;
    private final MeterRegistry meters;
    private final Readers readers;
    private final List<String> topics;
    // State of one life of the loop; a restarted loop starts afresh from the committed offsets.
    private ConcurrentLinkedQueue<Done> done = new ConcurrentLinkedQueue<>();
    private ConsumedOffsets offsets = new ConsumedOffsets();
    private final Map<TopicPartition, Long> dueAt = new HashMap<>();
    private @Nullable Reader reader;

    private record Done(TopicPartition partition, long offset) {}

    public CallbackConsumer(
            Map<String, Object> consumerConfig,
            Dispatcher dispatcher,
            int maxPending,
            Clock clock,
            MeterRegistry meters,
            Readers readers) {
        this.dispatcher = dispatcher;
        this.maxPending = maxPending;
        this.clock = clock;
        Map<String, Object> config = new HashMap<>(consumerConfig);
        config.putIfAbsent(ConsumerConfig.GROUP_ID_CONFIG, "flowgate-dispatcher");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
        // Partitions are paused and resumed all the time (retry tiers); a fetch the broker holds open
        // for the others must not hold up the ones that were just resumed.
        config.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        this.config = config;
        this.meters = meters;
        this.readers = readers;
        List<String> names = new ArrayList<>();
        names.add(Topics.CALLBACKS.name());
        dispatcher.tiers().topics().stream().map(Topic::name).forEach(names::add);
        this.topics = List.copyOf(names);
    }

    /** Starts reading. */
    public void start() {
        reader = readers.start(READER, this::loop);
    }

    /** One life of the loop, with a consumer of its own. */
    private void loop(Reader reader) {
        KafkaConsumer<String, CallbackRequested> consumer = new KafkaConsumer<>(
                config, new StringDeserializer(), Topics.CALLBACKS.valueSerde().deserializer());
        KafkaClientMetrics metrics = new KafkaClientMetrics(consumer);
        metrics.bindTo(meters);
        SkippedRecords skipped = readers.skipped(reader.name());
        ConcurrentLinkedQueue<Done> done = new ConcurrentLinkedQueue<>();
        this.done = done;
        this.offsets = new ConsumedOffsets();
        this.dueAt.clear();
        reader.attach(consumer);
        try {
            consumer.subscribe(topics, new Rebalance(consumer));
            while (!reader.isStopping()) {
                applyDone();
                offsets.commitAll(consumer);
                adjustPause(consumer);
                for (ConsumerRecord<String, CallbackRequested> record : skipped.poll(consumer, pollTimeout())) {
                    if (!skipped.process(record, r -> take(consumer, done, r))) {
                        offsets.finished(new TopicPartition(record.topic(), record.partition()), record.offset());
                    }
                }
                reader.up();
            }
        } catch (WakeupException e) {
            if (!reader.isStopping()) {
                throw e;
            }
        } finally {
            applyDone();
            try {
                offsets.commitAll(consumer);
            } catch (WakeupException e) {
                offsets.commitAll(consumer); // the stop signal arrived outside poll()
            } catch (RuntimeException e) {
                log.warn("Could not commit on close", e);
            }
            consumer.close(Duration.ofSeconds(5));
            metrics.close();
        }
    }

    private void take(
            KafkaConsumer<String, CallbackRequested> consumer,
            ConcurrentLinkedQueue<Done> done,
            ConsumerRecord<String, CallbackRequested> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        if (dueAt.containsKey(partition)) {
            return; // paused at an earlier record of this batch; read again once it is due
        }
        Optional<Duration> tier = dispatcher.tiers().delayOf(record.topic());
        if (tier.isPresent()) {
            long due = record.timestamp() + tier.get().toMillis();
            if (due > clock.millis()) {
                consumer.seek(partition, record.offset());
                dueAt.put(partition, due);
                return;
            }
        }
        offsets.started(partition, record.offset());
        if (record.value() == null) {
            offsets.finished(partition, record.offset());
            return;
        }
        dispatcher.handle(record.value()).whenComplete((ok, error) -> {
            if (error == null) {
                done.add(new Done(partition, record.offset()));
            }
        });
    }

    private Duration pollTimeout() {
        long now = clock.millis();
        long wait = dueAt.values().stream().mapToLong(due -> due - now).min().orElse(MAX_POLL.toMillis());
        return Duration.ofMillis(Math.clamp(wait, 1, MAX_POLL.toMillis()));
    }

    /** Pauses partitions waiting for a due record, and all of them while too much is pending. */
    private void adjustPause(KafkaConsumer<String, CallbackRequested> consumer) {
        long now = clock.millis();
        dueAt.values().removeIf(due -> due <= now);
        dueAt.keySet().retainAll(consumer.assignment());
        Set<TopicPartition> shouldPause = new HashSet<>(dueAt.keySet());
        if (dispatcher.pending() >= maxPending) {
            shouldPause.addAll(consumer.assignment());
        }
        Set<TopicPartition> paused = consumer.paused();
        List<TopicPartition> resume =
                paused.stream().filter(p -> !shouldPause.contains(p)).toList();
        List<TopicPartition> pause =
                shouldPause.stream().filter(p -> !paused.contains(p)).toList();
        if (!resume.isEmpty()) {
            consumer.resume(resume);
        }
        if (!pause.isEmpty()) {
            consumer.pause(pause);
        }
    }

    private void applyDone() {
        for (Done d; (d = done.poll()) != null; ) {
            offsets.finished(d.partition(), d.offset());
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        private final KafkaConsumer<String, CallbackRequested> consumer;

        Rebalance(KafkaConsumer<String, CallbackRequested> consumer) {
            this.consumer = consumer;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // Callbacks still in progress are read again by the next owner: at-least-once.
            applyDone();
            try {
                offsets.commit(consumer, partitions);
            } catch (WakeupException e) {
                offsets.commit(consumer, partitions);
            }
            offsets.forget(partitions);
            partitions.forEach(dueAt::remove);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            offsets.forget(partitions);
            partitions.forEach(dueAt::remove);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            log.debug("Partitions assigned: {}", partitions);
        }
    }

    @Override
    public void close() {
        if (reader != null) {
            reader.stop(Duration.ofSeconds(15));
        }
    }
}
