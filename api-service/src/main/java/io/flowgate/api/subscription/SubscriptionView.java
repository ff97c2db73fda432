package io.flowgate.api.subscription;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.flowgate.api.config.ApiProperties;
import io.flowgate.contracts.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.stereotype.Component;

/**
 * Reads subscriptions and their delivery logs, scoped by tenant: another tenant's subscription is
 * indistinguishable from a missing one. Subscriptions this replica created in the last {@code
 * acceptedGrace} are kept in memory until the store has them, so a {@code Location} works at once.
 */
@Component
class SubscriptionView {

    private final StreamsBuilderFactoryBean streams;
    private final Cache<String, Subscription> recentlyCreated;

    SubscriptionView(StreamsBuilderFactoryBean streams, ApiProperties properties) {
        this.streams = streams;
        this.recentlyCreated = Caffeine.newBuilder()
                .expireAfterWrite(properties.acceptedGrace())
                .build();
    }

    /** Remembers a subscription this replica has just written. */
    void created(Subscription subscription) {
        recentlyCreated.put(subscription.subscriptionId(), subscription);
    }

    /** The subscription if this replica created it within the grace period (its view may not have it yet). */
    Optional<Subscription> recentlyCreated(String tenantId, String subscriptionId) {
        return Optional.ofNullable(recentlyCreated.getIfPresent(subscriptionId))
                .filter(s -> s.tenantId().equals(tenantId));
    }

    /** Forgets the subscriptions this replica created for {@code tenantId} (its offboarding). */
    void forgetCreated(String tenantId) {
        recentlyCreated.asMap().values().removeIf(s -> s.tenantId().equals(tenantId));
    }

    /** Forgets a subscription this replica has just removed, or whose owner has it. */
    void removed(String subscriptionId) {
        recentlyCreated.invalidate(subscriptionId);
    }

    /**
     * The subscription if it belongs to {@code tenantId}.
     *
     * @throws Unavailable when the store cannot be queried and this replica knows nothing of it
     */
    Optional<Subscription> find(String tenantId, String subscriptionId) {
        Subscription found;
        try {
            found = store(SubscriptionTopology.SUBSCRIPTIONS).get(subscriptionId) instanceof Subscription s ? s : null;
        } catch (InvalidStateStoreException e) {
            found = recentlyCreated.getIfPresent(subscriptionId);
            if (found == null) {
                throw new Unavailable(e);
            }
        }
        if (found == null) {
            found = recentlyCreated.getIfPresent(subscriptionId);
        } else {
            recentlyCreated.invalidate(subscriptionId);
        }
        return Optional.ofNullable(found).filter(s -> s.tenantId().equals(tenantId));
    }

    /** The delivery log of a subscription the caller has already found. */
    DeliveryLog deliveries(String subscriptionId) {
        try {
            return store(SubscriptionTopology.DELIVERIES).get(subscriptionId) instanceof DeliveryLog log
                    ? log
                    : DeliveryLog.EMPTY;
        } catch (InvalidStateStoreException e) {
            throw new Unavailable(e);
        }
    }

    /** Every subscription of {@code tenantId}: a scan of the store, for administration. */
    List<Subscription> allOf(String tenantId) {
        List<Subscription> found = new ArrayList<>();
        try (KeyValueIterator<String, Object> all =
                store(SubscriptionTopology.SUBSCRIPTIONS).all()) {
            all.forEachRemaining(entry -> {
                if (entry.value instanceof Subscription s && s.tenantId().equals(tenantId)) {
                    found.add(s);
                }
            });
        } catch (InvalidStateStoreException e) {
            throw new Unavailable(e);
        }
        recentlyCreated.asMap().values().stream()
                .filter(s -> s.tenantId().equals(tenantId))
                .filter(s -> found.stream().noneMatch(f -> f.subscriptionId().equals(s.subscriptionId())))
                .forEach(found::add);
        return found;
    }

    private ReadOnlyKeyValueStore<String, Object> store(String name) {
        KafkaStreams kafkaStreams = streams.getKafkaStreams();
        if (kafkaStreams == null) {
            throw new InvalidStateStoreException("Kafka Streams has not started yet");
        }
        try {
            return kafkaStreams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.keyValueStore()));
        } catch (IllegalStateException e) {
            // Kafka Streams is not running (stopping, or failed): as unavailable as a restoring store.
            throw new InvalidStateStoreException("Kafka Streams is not running", e);
        }
    }

    /** The subscription stores cannot be queried right now. */
    static final class Unavailable extends RuntimeException {
        Unavailable(Throwable cause) {
            super("the subscription view is not queryable yet", cause);
        }
    }
}
