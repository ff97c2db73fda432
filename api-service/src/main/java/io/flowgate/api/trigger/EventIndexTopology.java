package io.flowgate.api.trigger;

import io.flowgate.contracts.Topics;
import io.flowgate.contracts.TriggerEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The event index that serves polling triggers: {@code flowgate.events} in RocksDB stores, keyed by
 * tenant and trigger so that a poll reads its own key's range and nothing of other tenants'.
 *
 * <ul>
 *   <li>{@link #EVENTS}: {@code tenant/trigger|offset} → the event. All events of one key sit on one
 *       partition, so the record offset orders them totally (equal timestamps included), and an event
 *       read twice (at-least-once upstream) lands on the same entry;
 *   <li>{@link #IDS}: {@code tenant/trigger|eventId} → the offset of its first record: an event
 *       published again with the same id (a replay) is indexed once;
 *   <li>{@link #KEYS}: {@code tenant/trigger} → the highest offset removed at the end of the retention
 *       ({@code -1}: none), so a poll whose state is older can say so rather than skip silently.
 * </ul>
 *
 * A tombstone under a key (offboarding) removes the key's events; events whose key is not their
 * own tenant's and trigger's, and events of an offboarded tenant, are dropped.
 */
final class EventIndexTopology {

    static final String EVENTS = "trigger-events";
    static final String IDS = "trigger-event-ids";
    static final String KEYS = "trigger-event-keys";

    /** Separates a key from the offset or event id in the stores' keys; never part of a key. */
    static final char SEPARATOR = '|';

    /** Offsets are written with this many digits, so that the stores' byte order is offset order. */
    private static final int OFFSET_DIGITS = 19;

    private EventIndexTopology() {}

    static void addTo(StreamsBuilder builder, Duration retention, Duration purgeEvery, Predicate<String> offboarded) {
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(EVENTS), Serdes.String(), Topics.EVENTS.valueSerde()));
        builder.addStateStore(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(IDS), Serdes.String(), Serdes.Long()));
        builder.addStateStore(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(KEYS), Serdes.String(), Serdes.Long()));
        builder.stream(Topics.EVENTS.name(), Consumed.with(Topics.EVENTS.keySerde(), Topics.EVENTS.valueSerde()))
                .process(() -> new IndexProcessor(retention, purgeEvery, offboarded), EVENTS, IDS, KEYS);
    }

    /** The store key of the event at {@code offset} under {@code key}. */
    static String entry(String key, long offset) {
        return key + SEPARATOR + String.format(Locale.ROOT, "%0" + OFFSET_DIGITS + "d", offset);
    }

    /** The offset an {@link #entry} key holds. */
    static long offsetOf(String entry) {
        return Long.parseLong(entry.substring(entry.length() - OFFSET_DIGITS));
    }

    /** The last possible entry key under {@code key}. */
    static String lastEntry(String key) {
        return entry(key, Long.MAX_VALUE);
    }

    static final class IndexProcessor implements Processor<String, TriggerEvent, Void, Void> {

        private final Duration retention;
        private final Duration purgeEvery;
        private final Predicate<String> offboarded;

        @SuppressWarnings("NullAway.Init") // set by init(), which Kafka Streams calls before process()
        private ProcessorContext<Void, Void> context;

        @SuppressWarnings("NullAway.Init")
        private KeyValueStore<String, TriggerEvent> events;

        @SuppressWarnings("NullAway.Init")
        private KeyValueStore<String, Long> ids;

        @SuppressWarnings("NullAway.Init")
        private KeyValueStore<String, Long> keys;

        IndexProcessor(Duration retention, Duration purgeEvery, Predicate<String> offboarded) {
            this.retention = retention;
            this.purgeEvery = purgeEvery;
            this.offboarded = offboarded;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            this.context = context;
            events = context.getStateStore(EVENTS);
            ids = context.getStateStore(IDS);
            keys = context.getStateStore(KEYS);
            context.schedule(purgeEvery, PunctuationType.WALL_CLOCK_TIME, now -> expire(Instant.ofEpochMilli(now)));
        }

        @Override
        public void process(Record<String, TriggerEvent> record) {
            String key = record.key();
            if (key == null || key.indexOf(SEPARATOR) >= 0) {
                return;
            }
            TriggerEvent event = record.value();
            if (event == null) {
                removeAll(key);
                return;
            }
            if (!key.equals(Topics.eventKey(event.tenantId(), event.trigger())) || offboarded.test(event.tenantId())) {
                return; // an event can only ever be indexed under its own tenant and trigger
            }
            String idKey = key + SEPARATOR + event.eventId();
            if (ids.get(idKey) != null) {
                return; // a replay of an event already indexed
            }
            long offset = context.recordMetadata().map(RecordMetadata::offset).orElseThrow();
            events.put(entry(key, offset), event);
            ids.put(idKey, offset);
            if (keys.get(key) == null) {
                keys.put(key, -1L);
            }
        }

        /** Removes the events past their retention, oldest first under each key, and notes how far. */
        private void expire(Instant now) {
            Instant cutoff = now.minus(retention);
            List<String> known = new ArrayList<>();
            try (KeyValueIterator<String, Long> all = keys.all()) {
                all.forEachRemaining(k -> known.add(k.key));
            }
            for (String key : known) {
                long removedThrough = -1;
                List<KeyValue<String, TriggerEvent>> expired = new ArrayList<>();
                try (KeyValueIterator<String, TriggerEvent> range = events.range(entry(key, 0), lastEntry(key))) {
                    while (range.hasNext()) {
                        KeyValue<String, TriggerEvent> next = range.next();
                        if (!next.value.receivedAt().isBefore(cutoff)) {
                            break;
                        }
                        expired.add(next);
                    }
                }
                for (KeyValue<String, TriggerEvent> old : expired) {
                    events.delete(old.key);
                    ids.delete(key + SEPARATOR + old.value.eventId());
                    removedThrough = offsetOf(old.key);
                }
                if (removedThrough >= 0) {
                    keys.put(key, removedThrough);
                }
            }
        }

        private void removeAll(String key) {
            List<KeyValue<String, TriggerEvent>> all = new ArrayList<>();
            try (KeyValueIterator<String, TriggerEvent> range = events.range(entry(key, 0), lastEntry(key))) {
                range.forEachRemaining(all::add);
            }
            for (KeyValue<String, TriggerEvent> old : all) {
                events.delete(old.key);
                ids.delete(key + SEPARATOR + old.value.eventId());
            }
            keys.delete(key);
        }
    }
}
