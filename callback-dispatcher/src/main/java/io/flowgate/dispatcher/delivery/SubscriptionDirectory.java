package io.flowgate.dispatcher.delivery;

import io.flowgate.contracts.Subscription;
import io.flowgate.contracts.Topics;
import io.flowgate.kafka.Readers;
import io.flowgate.kafka.TopicMirror;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every live subscription, read from the compacted {@code flowgate.subscriptions} topic and followed.
 * Before each attempt the dispatcher calls {@link #sync}, so an unsubscribe acknowledged before the
 * attempt would start is always seen: no new attempt starts after an unsubscribe has been answered.
 */
public final class SubscriptionDirectory implements AutoCloseable {

    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    private final TopicMirror<Subscription> mirror;

    public SubscriptionDirectory(Map<String, Object> consumerConfig, Readers readers) {
        this.mirror = TopicMirror.start(
                Topics.SUBSCRIPTIONS,
                consumerConfig,
                "flowgate-dispatcher-subscriptions",
                readers,
                (id, subscription) -> {
                    if (subscription == null) {
                        subscriptions.remove(id);
                    } else {
                        subscriptions.put(id, subscription);
                    }
                });
    }

    /** The subscription, if it exists. */
    public Optional<Subscription> find(String subscriptionId) {
        return Optional.ofNullable(subscriptions.get(subscriptionId));
    }

    /** The read barrier for one subscription, without waiting: see {@link TopicMirror#syncAsync(String)}. */
    public CompletableFuture<Void> syncAsync(String subscriptionId) {
        return mirror.syncAsync(subscriptionId);
    }

    /** Waits until the topic has been read up to where it was at start-up. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return mirror.awaitCaughtUp(timeout);
    }

    @Override
    public void close() {
        mirror.close();
    }
}
