package io.flowgate.dispatcher.delivery;

import io.flowgate.contracts.CallbackRequested;
import io.flowgate.contracts.Topic;
import io.flowgate.contracts.Topics;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The retry topics, one per delay tier. A callback to retry after a wait is written to the longest
 * tier not above the wait (the shortest tier when the wait is shorter than all); the dispatcher reads
 * a tier's record once the tier's delay has passed since it was written, and if the callback is
 * still not due, writes it to the tier for what remains. Records of one tier come due in the order
 * they were written, so a reader only ever waits for the record at the head of a partition: the
 * delay lives in Kafka, and a restart loses nothing.
 */
public final class RetryTiers {

    private final List<Duration> tiers;
    private final Map<String, Duration> byTopic;

    public RetryTiers(List<Duration> delays) {
        if (delays.isEmpty()) {
            throw new IllegalArgumentException("at least one retry tier is needed");
        }
        this.tiers = delays.stream().distinct().sorted().toList();
        this.byTopic = tiers.stream()
                .collect(Collectors.toMap(d -> Topics.callbackRetries(d).name(), Function.identity()));
    }

    /** The tier topic for a wait of {@code wait}. */
    public Topic<String, CallbackRequested> forWait(Duration wait) {
        Duration chosen = tiers.stream()
                .filter(tier -> tier.compareTo(wait) <= 0)
                .max(Comparator.naturalOrder())
                .orElse(tiers.getFirst());
        return Topics.callbackRetries(chosen);
    }

    /** The shortest tier's topic. */
    public Topic<String, CallbackRequested> shortest() {
        return Topics.callbackRetries(tiers.getFirst());
    }

    /** The delay of a tier topic; empty for any other topic. */
    public Optional<Duration> delayOf(String topic) {
        return Optional.ofNullable(byTopic.get(topic));
    }

    /** Every tier topic. */
    public List<Topic<String, CallbackRequested>> topics() {
        return tiers.stream().map(Topics::callbackRetries).toList();
    }
}
