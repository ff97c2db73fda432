package io.flowgate.dispatcher.delivery;

import io.flowgate.contracts.Subscription;
import io.flowgate.contracts.SubscriptionGone;
import io.flowgate.contracts.SubscriptionKind;
import io.flowgate.contracts.Topics;
import io.flowgate.kafka.Readers;
import io.flowgate.kafka.TopicMirror;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every live subscription, read from the compacted {@code flowgate.subscriptions} topic and followed,
 * with the webhook trigger subscriptions indexed by tenant and trigger for the event fan-out, and the
 * trigger subscriptions whose receiver said they are gone ({@code flowgate.subscriptions-gone}).
 * Before each attempt the dispatcher calls {@link #syncAsync}, so an unsubscribe acknowledged before the
 * attempt would start is always seen: no new attempt starts after an unsubscribe has been answered.
 */
public final class SubscriptionDirectory implements AutoCloseable {

    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> byTrigger = new ConcurrentHashMap<>();
    private final Map<String, SubscriptionGone> gone = new ConcurrentHashMap<>();
    private final TopicMirror<Subscription> mirror;
    private final TopicMirror<SubscriptionGone> goneMirror;

    public SubscriptionDirectory(Map<String, Object> consumerConfig, Readers readers) {
        this.mirror = TopicMirror.start(
                Topics.SUBSCRIPTIONS,
                consumerConfig,
                "flowgate-dispatcher-subscriptions",
                readers,
                (id, subscription) -> {
                    Subscription before =
                            subscription == null ? subscriptions.remove(id) : subscriptions.put(id, subscription);
                    if (before != null && before.kind() == SubscriptionKind.TRIGGER) {
                        byTrigger.computeIfPresent(triggerKey(before), (key, ids) -> {
                            ids.remove(id);
                            return ids.isEmpty() ? null : ids;
                        });
                    }
                    if (subscription != null && subscription.kind() == SubscriptionKind.TRIGGER) {
                        byTrigger
                                .computeIfAbsent(triggerKey(subscription), key -> ConcurrentHashMap.newKeySet())
                                .add(id);
                    }
                });
        this.goneMirror = TopicMirror.start(
                Topics.SUBSCRIPTIONS_GONE,
                consumerConfig,
                "flowgate-dispatcher-subscriptions-gone",
                readers,
                (id, marker) -> {
                    if (marker == null) {
                        gone.remove(id);
                    } else {
                        gone.put(id, marker);
                    }
                });
    }

    /** The subscription, if it exists. */
    public Optional<Subscription> find(String subscriptionId) {
        return Optional.ofNullable(subscriptions.get(subscriptionId));
    }

    /** The webhook trigger subscriptions of {@code tenantId} to {@code trigger}, gone ones left out. */
    public List<Subscription> subscribersOf(String tenantId, String trigger) {
        Set<String> ids = byTrigger.getOrDefault(Topics.eventKey(tenantId, trigger), Set.of());
        return ids.stream()
                .filter(id -> !gone.containsKey(id))
                .map(subscriptions::get)
                .filter(s -> s != null && s.tenantId().equals(tenantId))
                .toList();
    }

    /** Whether the receiver of this trigger subscription said it is gone. */
    public boolean isGone(String subscriptionId) {
        return gone.containsKey(subscriptionId);
    }

    /** Notes at once a gone marker this dispatcher has just written (its mirror reads it later too). */
    public void markedGone(SubscriptionGone marker) {
        gone.put(marker.subscriptionId(), marker);
    }

    /** The read barrier for one subscription, without waiting: see {@link TopicMirror#syncAsync(String)}. */
    public CompletableFuture<Void> syncAsync(String subscriptionId) {
        return mirror.syncAsync(subscriptionId);
    }

    /**
     * The read barrier for every subscription and gone marker: completes once all written before this
     * call have been read (the fan-out waits on it, so a subscribe answered before an event was
     * received is always seen).
     */
    public CompletableFuture<Void> syncAllAsync() {
        return CompletableFuture.allOf(mirror.syncAsync(), goneMirror.syncAsync());
    }

    /** Waits until both topics have been read up to where they were at start-up. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return mirror.awaitCaughtUp(timeout) && goneMirror.awaitCaughtUp(timeout);
    }

    private static String triggerKey(Subscription subscription) {
        return Topics.eventKey(subscription.tenantId(), subscription.target());
    }

    @Override
    public void close() {
        mirror.close();
        goneMirror.close();
    }
}
