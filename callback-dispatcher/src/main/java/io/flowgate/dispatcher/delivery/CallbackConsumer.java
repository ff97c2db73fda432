package io.flowgate.dispatcher.delivery;

import io.flowgate.contracts.CallbackRequested;
import io.flowgate.contracts.Topic;
import io.flowgate.contracts.Topics;
import io.flowgate.kafka.Readers;
import io.flowgate.kafka.WorkLoop;
import io.flowgate.kafka.WorkLoop.Ticket;
import io.micrometer.core.instrument.MeterRegistry;
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
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads {@code flowgate.callbacks} and the retry tier topics (consumer group {@code
 * flowgate-dispatcher}) through the shared {@link WorkLoop} and hands each callback to the {@link
 * Dispatcher}. Offsets are committed out of order: only below the oldest callback whose fate is not
 * yet durable; callbacks still in progress when a partition moves are read again by the next owner
 * (at least once).
 *
 * <p>A tier record is handed over only once the tier's delay has passed since it was written: until
 * then its partition is paused at that record and resumed when it comes due, so no thread sleeps and
 * no delay is held in memory.
 */
public final class CallbackConsumer implements Consuming {

    private static final Duration MAX_POLL = Duration.ofMillis(200);
    static final String READER = "flowgate-dispatcher-callbacks";

    private final Dispatcher dispatcher;
    private final int maxPending;
    private final Clock clock;
    private final WorkLoop<CallbackRequested> loop;

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
        config.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
        // Partitions are paused and resumed all the time (retry tiers); a fetch the broker holds open
        // for the others must not hold up the ones that were just resumed.
        config.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        List<String> topics = new ArrayList<>();
        topics.add(Topics.CALLBACKS.name());
        dispatcher.tiers().topics().stream().map(Topic::name).forEach(topics::add);
        this.loop = new WorkLoop<>(
                READER,
                config,
                "flowgate-dispatcher",
                topics,
                () -> Topics.CALLBACKS.valueSerde().deserializer(),
                Callbacks::new,
                readers,
                meters);
    }

    @Override
    public void start() {
        loop.start();
    }

    /** The callbacks of one life of the loop: which partitions wait for a retry to come due. */
    private final class Callbacks implements WorkLoop.Work<CallbackRequested> {

        private final Map<TopicPartition, Long> dueAt = new HashMap<>();
        private volatile boolean pausedForPending;

        @Override
        public boolean take(ConsumerRecord<String, CallbackRequested> record, Ticket ticket) {
            TopicPartition partition = ticket.partition();
            Optional<Duration> tier = dispatcher.tiers().delayOf(record.topic());
            if (tier.isPresent()) {
                long due = record.timestamp() + tier.get().toMillis();
                if (due > clock.millis()) {
                    dueAt.put(partition, due);
                    return false;
                }
            }
            dispatcher.handle(record.value()).whenComplete((ok, error) -> {
                if (error == null) {
                    ticket.done();
                }
                if (pausedForPending) {
                    loop.wakeUp(); // room again: resume now, not when the poll times out
                }
            });
            return true;
        }

        @Override
        public Duration pollTimeout() {
            long now = clock.millis();
            long wait =
                    dueAt.values().stream().mapToLong(due -> due - now).min().orElse(MAX_POLL.toMillis());
            return Duration.ofMillis(Math.clamp(wait, 1, MAX_POLL.toMillis()));
        }

        /** Pauses partitions waiting for a due record, and all of them while too much is pending. */
        @Override
        public void beforePoll(Consumer<String, CallbackRequested> consumer) {
            long now = clock.millis();
            dueAt.values().removeIf(due -> due <= now);
            dueAt.keySet().retainAll(consumer.assignment());
            Set<TopicPartition> shouldPause = new HashSet<>(dueAt.keySet());
            pausedForPending = dispatcher.pending() >= maxPending;
            if (pausedForPending) {
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

        @Override
        public void revoking(Collection<TopicPartition> partitions) {
            partitions.forEach(dueAt::remove);
        }

        @Override
        public void lost(Collection<TopicPartition> partitions) {
            revoking(partitions);
        }
    }

    @Override
    public void close() {
        loop.stop(Duration.ofSeconds(15));
    }
}
