package io.flowgate.kafka;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Out-of-order commits for a consumer whose records finish in any order (jobs, callback attempts):
 * per partition only the offset below the oldest unfinished record is committed, so whatever had not
 * finished is read again after a crash or a rebalance. Used by the consumer's own thread only.
 */
public final class ConsumedOffsets {

    private static final Logger log = LoggerFactory.getLogger(ConsumedOffsets.class);

    private final Map<TopicPartition, PartitionOffsets> partitions = new HashMap<>();

    /** The record at {@code offset} of {@code partition} was taken. */
    public void started(TopicPartition partition, long offset) {
        partitions.computeIfAbsent(partition, p -> new PartitionOffsets()).started(offset);
    }

    /** The record at {@code offset} is done with (a partition given up meanwhile is ignored). */
    public void finished(TopicPartition partition, long offset) {
        PartitionOffsets tracker = partitions.get(partition);
        if (tracker != null) {
            tracker.finished(offset);
        }
    }

    /** Commits what can be committed on every partition taken from. */
    public void commitAll(Consumer<?, ?> consumer) {
        commit(consumer, List.copyOf(partitions.keySet()));
    }

    /**
     * Commits, synchronously, what can be committed on {@code which}. A failed commit is logged and
     * tried again on the next call; a wake-up is passed on.
     */
    public void commit(Consumer<?, ?> consumer, Collection<TopicPartition> which) {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        for (TopicPartition partition : which) {
            PartitionOffsets tracker = partitions.get(partition);
            if (tracker != null) {
                tracker.toCommit().ifPresent(offset -> commit.put(partition, new OffsetAndMetadata(offset)));
            }
        }
        if (commit.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(commit);
            commit.forEach((partition, offset) -> {
                PartitionOffsets tracker = partitions.get(partition);
                if (tracker != null) {
                    tracker.committed(offset.offset());
                }
            });
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            log.warn("Could not commit {}; will retry", commit, e);
        }
    }

    /** Forgets partitions given up (after their last commit). */
    public void forget(Collection<TopicPartition> which) {
        which.forEach(partitions::remove);
    }
}
