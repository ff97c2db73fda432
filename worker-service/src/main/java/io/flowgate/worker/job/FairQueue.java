package io.flowgate.worker.job;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The jobs a worker has read and not started, in a fair order: tenants take turns (round robin), each
 * tenant's jobs start in the order they were read, and no tenant runs more than {@code perTenant}
 * jobs at once while the worker runs at most {@code total}. So one tenant's jobs, however many or
 * slow, hold at most {@code perTenant} of the worker's slots, and another tenant's job waits at most
 * for a free slot, never behind the first tenant's backlog.
 *
 * <p>Not thread-safe: the job consumer's thread owns it.
 *
 * @param <J> a waiting job
 */
final class FairQueue<J> {

    private final int total;
    private final int perTenant;
    /** Tenants with waiting jobs, in turn order: the next turn goes to the first that may run. */
    private final LinkedHashMap<String, Deque<J>> waiting = new LinkedHashMap<>();

    private final Map<String, Integer> running = new HashMap<>();
    private int runningTotal;
    private int waitingTotal;

    FairQueue(int total, int perTenant) {
        if (total < 1 || perTenant < 1) {
            throw new IllegalArgumentException("limits must be at least 1");
        }
        this.total = total;
        this.perTenant = perTenant;
    }

    /** A job of {@code tenant} was read: it waits for its turn. */
    void add(String tenant, J job) {
        waiting.computeIfAbsent(tenant, t -> new ArrayDeque<>()).addLast(job);
        waitingTotal++;
    }

    /**
     * The next job to start, if a slot is free and some tenant under its limit has one waiting; it
     * counts as running until {@link #finished}. The tenant goes to the end of the turn order.
     */
    Optional<J> next() {
        if (runningTotal >= total) {
            return Optional.empty();
        }
        Iterator<Map.Entry<String, Deque<J>>> turns = waiting.entrySet().iterator();
        while (turns.hasNext()) {
            Map.Entry<String, Deque<J>> turn = turns.next();
            String tenant = turn.getKey();
            if (running.getOrDefault(tenant, 0) >= perTenant) {
                continue;
            }
            J job = turn.getValue().removeFirst();
            turns.remove();
            if (!turn.getValue().isEmpty()) {
                waiting.put(tenant, turn.getValue()); // back of the line
            }
            running.merge(tenant, 1, Integer::sum);
            runningTotal++;
            waitingTotal--;
            return Optional.of(job);
        }
        return Optional.empty();
    }

    /** A job of {@code tenant} that {@link #next} gave out has ended (or was handed over). */
    void finished(String tenant) {
        if (running.containsKey(tenant)) {
            running.computeIfPresent(tenant, (t, n) -> n > 1 ? n - 1 : null);
            runningTotal--;
        }
    }

    /** Removes and answers the waiting jobs that match (those of partitions given up). */
    List<J> removeWaiting(Predicate<J> which) {
        List<J> removed = new ArrayList<>();
        waiting.values()
                .forEach(jobs -> jobs.removeIf(job -> {
                    if (which.test(job)) {
                        removed.add(job);
                        return true;
                    }
                    return false;
                }));
        waiting.values().removeIf(Deque::isEmpty);
        waitingTotal -= removed.size();
        return removed;
    }

    /** Jobs read and not started. */
    int waiting() {
        return waitingTotal;
    }

    /** Jobs started and not finished. */
    int running() {
        return runningTotal;
    }

    /** Jobs of {@code tenant} started and not finished. */
    int running(String tenant) {
        return running.getOrDefault(tenant, 0);
    }
}
