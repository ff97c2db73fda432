package io.flowgate.kafka;

import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * Out-of-order completion for one partition: records (jobs, deliveries) finish in any order, but only the offset below the
 * oldest unfinished job may be committed, so a crash re-delivers every job that had not finished.
 * Used by the consumer thread only.
 */
final class PartitionOffsets {

    private final TreeSet<Long> running = new TreeSet<>();
    private long next = -1;
    private long committed = -1;

    /** A record at {@code offset} was handed to a job. */
    void started(long offset) {
        running.add(offset);
        next = Math.max(next, offset + 1);
    }

    /** The job of {@code offset} finished (its final status is durable). */
    void finished(long offset) {
        running.remove(offset);
    }

    /** The offset to commit now, if it moved since the last commit. */
    OptionalLong toCommit() {
        long candidate = running.isEmpty() ? next : running.first();
        return candidate > committed ? OptionalLong.of(candidate) : OptionalLong.empty();
    }

    /** Records that {@code offset} was committed. */
    void committed(long offset) {
        committed = Math.max(committed, offset);
    }

    /** Jobs still running from this partition. */
    int running() {
        return running.size();
    }
}
