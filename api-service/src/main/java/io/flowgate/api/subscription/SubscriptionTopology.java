package io.flowgate.api.subscription;

import io.flowgate.contracts.DeliveryAttempted;
import io.flowgate.contracts.JsonSerde;
import io.flowgate.contracts.Subscription;
import io.flowgate.contracts.Topics;
import java.util.function.Predicate;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscriptions view: two RocksDB stores keyed by subscription id, built from two co-partitioned
 * topics (both keyed by subscription id, with the same partition count):
 *
 * <ul>
 *   <li>{@code flowgate.subscriptions}: the subscriptions; a tombstone removes one with its log;
 *   <li>{@code flowgate.delivery-attempts}: each attempt is added to its subscription's log (attempts
 *       of a subscription the view does not hold are dropped).
 * </ul>
 *
 * Records of an offboarded tenant are dropped.
 */
final class SubscriptionTopology {

    private static final Logger log = LoggerFactory.getLogger(SubscriptionTopology.class);

    static final String SUBSCRIPTIONS = "subscriptions";
    static final String DELIVERIES = "delivery-log";

    private static final JsonSerde<DeliveryLog> LOG_SERDE = JsonSerde.of(DeliveryLog.class);

    private SubscriptionTopology() {}

    /** Told of the view's changes, on the stream thread. */
    interface Listener {

        /** The view holds {@code subscription} (also called for every entry after a restore). */
        void applied(Subscription subscription);

        /** The view no longer holds it. */
        void removed(Subscription last);

        /**
         * This replica no longer holds it: its partition moved to another replica (which is told
         * {@link #applied} as it takes the partition over) or the replica is stopping.
         */
        void released(Subscription subscription);
    }

    /** A subscription, its tombstone (both null), or a delivery attempt. */
    record Change(
            @Nullable Subscription subscription, @Nullable DeliveryAttempted attempt) {}

    static void addTo(StreamsBuilder builder, Listener listener, Predicate<String> offboarded) {
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(SUBSCRIPTIONS),
                Topics.SUBSCRIPTIONS.keySerde(),
                Topics.SUBSCRIPTIONS.valueSerde()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(DELIVERIES), Topics.SUBSCRIPTIONS.keySerde(), LOG_SERDE));
        var subscriptions = builder.stream(
                        Topics.SUBSCRIPTIONS.name(),
                        Consumed.with(Topics.SUBSCRIPTIONS.keySerde(), Topics.SUBSCRIPTIONS.valueSerde()))
                .mapValues(subscription -> new Change(subscription, null));
        var attempts = builder.stream(
                        Topics.DELIVERY_ATTEMPTS.name(),
                        Consumed.with(Topics.DELIVERY_ATTEMPTS.keySerde(), Topics.DELIVERY_ATTEMPTS.valueSerde()))
                .filter((key, attempt) -> attempt != null)
                .mapValues(attempt -> new Change(null, attempt));
        subscriptions
                .merge(attempts)
                .process(() -> new SubscriptionProcessor(listener, offboarded), SUBSCRIPTIONS, DELIVERIES);
    }

    static final class SubscriptionProcessor implements Processor<String, Change, Void, Void> {

        private final Listener listener;
        private final Predicate<String> offboarded;

        @SuppressWarnings("NullAway.Init") // set by init(), which Kafka Streams calls before process()
        private KeyValueStore<String, Subscription> subscriptions;

        @SuppressWarnings("NullAway.Init")
        private KeyValueStore<String, DeliveryLog> deliveries;

        SubscriptionProcessor(Listener listener, Predicate<String> offboarded) {
            this.listener = listener;
            this.offboarded = offboarded;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            subscriptions = context.getStateStore(SUBSCRIPTIONS);
            deliveries = context.getStateStore(DELIVERIES);
            try (KeyValueIterator<String, Subscription> all = subscriptions.all()) {
                all.forEachRemaining(entry -> listener.applied(entry.value));
            }
        }

        @Override
        public void process(Record<String, Change> record) {
            Subscription current = subscriptions.get(record.key());
            Change change = record.value();
            if (change.attempt() != null) {
                DeliveryAttempted attempt = change.attempt();
                if (current != null && current.tenantId().equals(attempt.tenantId())) {
                    DeliveryLog log = deliveries.get(record.key());
                    deliveries.put(record.key(), (log == null ? DeliveryLog.EMPTY : log).with(attempt));
                }
                return;
            }
            Subscription next = change.subscription();
            if (next == null || offboarded.test(next.tenantId())) {
                remove(record.key(), current);
                return;
            }
            if (current != null && !current.tenantId().equals(next.tenantId())) {
                return; // a record can never move a subscription to another tenant
            }
            subscriptions.put(record.key(), next);
            listener.applied(next);
        }

        /** The task is closing (its partition moves away, or the replica stops): release what it held. */
        @Override
        public void close() {
            try (KeyValueIterator<String, Subscription> all = subscriptions.all()) {
                all.forEachRemaining(entry -> listener.released(entry.value));
            } catch (RuntimeException e) {
                // A store closed under a failed task: the quota sets are rebuilt as tasks start again.
                log.warn("Could not release the subscriptions of a closing task", e);
            }
        }

        private void remove(String subscriptionId, @Nullable Subscription current) {
            deliveries.delete(subscriptionId);
            if (current != null) {
                subscriptions.delete(subscriptionId);
                listener.removed(current);
            }
        }
    }
}
