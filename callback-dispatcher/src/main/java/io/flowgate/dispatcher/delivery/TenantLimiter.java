package io.flowgate.dispatcher.delivery;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * At most {@code concurrency} attempts in progress per tenant, and at most {@code queue} more waiting:
 * a tenant whose receiver hangs fills only its own places, and another tenant's attempts start at once.
 */
final class TenantLimiter {

    private final int concurrency;
    private final int queue;
    private final Executor executor;
    private final Map<String, Lane> lanes = new HashMap<>();
    private final AtomicInteger pending = new AtomicInteger();

    TenantLimiter(int concurrency, int queue, Executor executor) {
        this.concurrency = concurrency;
        this.queue = queue;
        this.executor = executor;
    }

    private static final class Lane {
        int running;
        final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    }

    /**
     * Runs {@code attempt} on the executor when the tenant has a free place, or queues it.
     *
     * @return false when the tenant's queue is full too: nothing was run or queued
     */
    boolean offer(String tenantId, Supplier<CompletableFuture<Void>> attempt, CompletableFuture<Void> done) {
        Runnable task = () -> {
            CompletableFuture<Void> run;
            try {
                run = attempt.get();
            } catch (RuntimeException e) {
                run = CompletableFuture.failedFuture(e);
            }
            run.whenComplete((ok, error) -> {
                pending.decrementAndGet();
                next(tenantId);
                if (error != null) {
                    done.completeExceptionally(error);
                } else {
                    done.complete(null);
                }
            });
        };
        synchronized (lanes) {
            Lane lane = lanes.computeIfAbsent(tenantId, t -> new Lane());
            if (lane.running < concurrency) {
                lane.running++;
            } else if (lane.waiting.size() < queue) {
                lane.waiting.add(task);
                pending.incrementAndGet();
                return true;
            } else {
                return false;
            }
        }
        pending.incrementAndGet();
        executor.execute(task);
        return true;
    }

    private void next(String tenantId) {
        Runnable next;
        synchronized (lanes) {
            Lane lane = lanes.get(tenantId);
            if (lane == null) {
                return; // not this limiter's task: nothing to hand on
            }
            next = lane.waiting.poll();
            if (next == null) {
                lane.running--;
                if (lane.running == 0) {
                    lanes.remove(tenantId);
                }
                return;
            }
        }
        executor.execute(next);
    }

    /** Attempts in progress or waiting. */
    int pending() {
        return pending.get();
    }
}
