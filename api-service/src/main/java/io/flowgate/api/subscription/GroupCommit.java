package io.flowgate.api.subscription;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Group commit: items that arrive while one batch is being written wait and go together in the
 * next, so a burst of N subscribes costs a handful of Kafka transactions instead of N. A lone item
 * is written at once (no timer, no added latency when quiet); under load the batch grows by itself
 * to whatever arrived during the previous commit, up to {@code maxBatch}.
 *
 * <p>Written by hand: Kafka and Spring Kafka run one transaction per call and offer no batching of
 * callers, and a time-window buffer (Reactor's {@code bufferTimeout}) would delay every lone item by
 * its window. One writer thread draining a queue is all it takes.
 *
 * <p>A batch succeeds or fails as a whole: if the write throws, nothing of it is committed and every
 * item fails with that error, except when the error is the fault of one item (a record too large):
 * then each item is written again on its own, so that one caller's bad item fails only that caller.
 */
final class GroupCommit<T> implements AutoCloseable {

    private record Pending<T>(T item, CompletableFuture<Void> done) {}

    private final int maxBatch;
    private final Consumer<List<T>> writeAll;
    private final Predicate<Throwable> itemFault;
    private final BlockingQueue<Pending<T>> queue = new LinkedBlockingQueue<>();
    private final DistributionSummary batchSizes;
    private final Thread writer;
    private volatile boolean running = true;

    /**
     * @param writeAll writes one batch; returns once it is durable, throws if it is not
     * @param itemFault whether a write's error is the fault of one item rather than of Kafka
     */
    GroupCommit(
            String name,
            int maxBatch,
            Consumer<List<T>> writeAll,
            Predicate<Throwable> itemFault,
            MeterRegistry meters) {
        this.maxBatch = maxBatch;
        this.writeAll = writeAll;
        this.itemFault = itemFault;
        this.batchSizes = DistributionSummary.builder("flowgate.api.group.commit.size")
                .description("items written together in one transaction")
                .tag("writer", name)
                .register(meters);
        this.writer = Thread.ofPlatform().name(name + "-commit").daemon().start(this::run);
    }

    /** Queues {@code item}; completes once its batch is written, or fails with the batch's error. */
    CompletableFuture<Void> submit(T item) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!running) {
            done.completeExceptionally(new IllegalStateException("closed"));
            return done;
        }
        queue.add(new Pending<>(item, done));
        if (!running) {
            failRemaining(); // closed while this was being queued
        }
        return done;
    }

    private void run() {
        List<Pending<T>> batch = new ArrayList<>(maxBatch);
        while (running) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                break;
            }
            queue.drainTo(batch, maxBatch - 1);
            batchSizes.record(batch.size());
            write(batch);
            batch.clear();
        }
        failRemaining();
    }

    private void write(List<Pending<T>> batch) {
        try {
            writeAll.accept(batch.stream().map(Pending::item).toList());
            batch.forEach(p -> p.done().complete(null));
        } catch (RuntimeException e) {
            if (batch.size() > 1 && itemFault.test(e)) {
                for (Pending<T> alone : batch) {
                    write(List.of(alone));
                }
            } else {
                batch.forEach(p -> p.done().completeExceptionally(e));
            }
        }
    }

    private void failRemaining() {
        for (Pending<T> pending; (pending = queue.poll()) != null; ) {
            pending.done().completeExceptionally(new IllegalStateException("closed"));
        }
    }

    @Override
    public void close() {
        running = false;
        writer.interrupt();
        try {
            writer.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failRemaining();
    }
}
