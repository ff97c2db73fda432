package io.flowgate.api.trigger;

import io.flowgate.api.trigger.TriggerStates.Position;
import io.flowgate.contracts.TriggerEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.stereotype.Component;

/**
 * Reads the event index ({@link EventIndexTopology}) for polls. Every read is a range of one key (one
 * tenant's events of one trigger) in the store of the partition that holds the key, so a poll costs
 * the same whatever other tenants publish. The partition comes from Kafka Streams' metadata for the
 * key, which also names the replica that owns it once the API runs as several.
 */
@Component
class EventIndex {

    private final StreamsBuilderFactoryBean streams;

    EventIndex(StreamsBuilderFactoryBean streams) {
        this.streams = streams;
    }

    /** An event and where it is. */
    record Indexed(long offset, TriggerEvent event) {}

    /**
     * What one read found.
     *
     * @param items the matching events, oldest first
     * @param next where the next read goes on from (the last event read that need not be read again)
     * @param more whether more matching events wait after {@code next}, or the read stopped at its limit
     * @param removedThrough the highest offset of this key removed at the end of the retention ({@code
     *     -1}: none), to tell a reader whose position is older that events were lost
     */
    record Page(List<Indexed> items, Position next, boolean more, long removedThrough) {}

    /**
     * "Now" for {@code key}: its partition and the last offset the index holds for it (or has removed).
     *
     * @throws Unavailable when the index cannot be read here right now
     */
    Position head(String key) {
        int partition = partitionOf(key);
        ReadOnlyKeyValueStore<String, TriggerEvent> events = store(EventIndexTopology.EVENTS, partition);
        long last = -1;
        try (KeyValueIterator<String, TriggerEvent> newest =
                events.reverseRange(EventIndexTopology.entry(key, 0), EventIndexTopology.lastEntry(key))) {
            if (newest.hasNext()) {
                last = EventIndexTopology.offsetOf(newest.next().key);
            }
        } catch (InvalidStateStoreException e) {
            throw new Unavailable(e);
        }
        return new Position(partition, Math.max(last, removedThrough(key, partition)));
    }

    /**
     * Up to {@code maxItems} events of {@code key} after {@code from} that pass {@code filter}, reading
     * at most {@code scanLimit} events and for at most {@code budget} (a condition takes time).
     *
     * @throws Unavailable when the index cannot be read here right now
     */
    Page after(
            String key, Position from, Predicate<TriggerEvent> filter, int maxItems, int scanLimit, Duration budget) {
        long deadline = System.nanoTime() + budget.toNanos();
        int partition = partitionOf(key);
        if (partition != from.partition()) {
            // The topic got more partitions and the key moved: its offsets start afresh over there.
            return new Page(List.of(), new Position(partition, -1), true, Long.MAX_VALUE);
        }
        ReadOnlyKeyValueStore<String, TriggerEvent> events = store(EventIndexTopology.EVENTS, partition);
        List<Indexed> items = new ArrayList<>();
        long next = from.offset();
        boolean more = false;
        int scanned = 0;
        try (KeyValueIterator<String, TriggerEvent> range =
                events.range(EventIndexTopology.entry(key, from.offset() + 1), EventIndexTopology.lastEntry(key))) {
            while (range.hasNext()) {
                if (scanned++ == scanLimit || System.nanoTime() > deadline) {
                    more = true;
                    break;
                }
                KeyValue<String, TriggerEvent> entry = range.next();
                long offset = EventIndexTopology.offsetOf(entry.key);
                if (filter.test(entry.value)) {
                    if (items.size() == maxItems) {
                        more = true;
                        break;
                    }
                    items.add(new Indexed(offset, entry.value));
                }
                next = offset;
            }
        } catch (InvalidStateStoreException e) {
            throw new Unavailable(e);
        }
        return new Page(items, new Position(partition, next), more, removedThrough(key, partition));
    }

    private long removedThrough(String key, int partition) {
        try {
            Long stored = this.<Long>store(EventIndexTopology.KEYS, partition).get(key);
            return stored == null ? -1 : stored;
        } catch (InvalidStateStoreException e) {
            throw new Unavailable(e);
        }
    }

    private int partitionOf(String key) {
        KeyQueryMetadata metadata = kafkaStreams()
                .queryMetadataForKey(
                        EventIndexTopology.EVENTS, key, Serdes.String().serializer());
        if (metadata == null || metadata.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            throw new Unavailable(new InvalidStateStoreException("no metadata for the event index yet"));
        }
        return metadata.partition();
    }

    private <V> ReadOnlyKeyValueStore<String, V> store(String name, int partition) {
        try {
            return kafkaStreams()
                    .store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore())
                            .withPartition(partition));
        } catch (InvalidStateStoreException e) {
            throw new Unavailable(e);
        } catch (IllegalStateException e) {
            throw new Unavailable(new InvalidStateStoreException("Kafka Streams is not running", e));
        }
    }

    private KafkaStreams kafkaStreams() {
        KafkaStreams kafkaStreams = streams.getKafkaStreams();
        if (kafkaStreams == null || kafkaStreams.state() != KafkaStreams.State.RUNNING) {
            throw new Unavailable(new InvalidStateStoreException("Kafka Streams is not running yet"));
        }
        return kafkaStreams;
    }

    /** The index cannot be read here right now (starting, restoring, rebalancing). */
    static final class Unavailable extends RuntimeException {
        Unavailable(Throwable cause) {
            super("the event index is not queryable yet", cause);
        }
    }
}
