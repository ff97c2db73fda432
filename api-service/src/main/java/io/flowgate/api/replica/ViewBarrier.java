package io.flowgate.api.replica;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A read barrier for this replica's Kafka Streams views. A view lags its topics by a commit interval
 * or more, so "not in my view" a moment after another replica wrote a record (a subscribe answered
 * 201 there) does not yet mean "does not exist"; after {@link #await} it does.
 *
 * <p>The views run exactly-once: Kafka Streams commits the position it has consumed (past the
 * transaction markers) together with the views' changes. So once the group's committed offset of a
 * partition reaches that partition's end offset as it was when the barrier was asked for, every
 * record written before is in the view. The end offset is the high watermark, which also counts
 * transactions still open: a write committed just before, behind one of them, is not missed. Both
 * offsets come from the broker (an {@link Admin} client).
 *
 * <p>Barriers share their broker requests, so a flood of them (a tenant sending unsubscribes for ids
 * that do not exist, each of which must be settled) costs the broker no more than one: at most one
 * end-offsets request is out at a time, and the barriers asked for while it is out share the next one
 * (an end offset read before a barrier was asked for could miss a write just before it); one
 * committed-offsets request every {@code POLL} serves every barrier that has its end offset. No
 * library offers this batching of Admin requests, hence the small state machine below. Nothing runs
 * while no barrier waits.
 *
 * <p>Only reads that found nothing and must be sure use it (an unsubscribe of a subscription, or a
 * cancel of a job, created a moment ago through another replica), so its cost, a few broker requests
 * and up to a commit interval, is off the common path.
 */
@Component
public class ViewBarrier implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ViewBarrier.class);
    private static final Duration POLL = Duration.ofMillis(20);

    private final Admin admin;
    private final String group;
    private final Duration timeout;
    private final Counter caughtUp;
    private final Counter timedOut;
    private final Counter failed;
    private final Counter endRequests;
    private final Counter committedRequests;

    private final Object lock = new Object();
    /** Barriers waiting for an end offset read after they were asked for. Guarded by {@link #lock}. */
    private List<Waiter> awaitingEnd = new ArrayList<>();
    /** Whether an end-offsets request is out. Guarded by {@link #lock}. */
    private boolean endOut;
    /** Barriers with their end offset, waiting for the group's committed offset. Guarded by {@link #lock}. */
    private final List<Waiter> awaitingCommit = new ArrayList<>();
    /** Whether a committed-offsets request is out or scheduled. Guarded by {@link #lock}. */
    private boolean committedOut;

    @Autowired
    ViewBarrier(
            KafkaProperties kafka, StreamsBuilderFactoryBean streams, ReplicaProperties replica, MeterRegistry meters) {
        this(
                admin(kafka),
                Objects.requireNonNull(streams.getStreamsConfiguration())
                        .getProperty(StreamsConfig.APPLICATION_ID_CONFIG),
                // Half the forwarded-read timeout: a barrier on the owner ends before its caller gives up.
                replica.timeout().dividedBy(2),
                meters);
    }

    /**
     * A barrier on the views of the Streams application {@code group}, asking Kafka through {@code admin}
     * (closed with the barrier), that gives up after {@code timeout}.
     */
    public ViewBarrier(Admin admin, String group, Duration timeout, MeterRegistry meters) {
        this.admin = admin;
        this.group = group;
        this.timeout = timeout;
        this.caughtUp = meters.counter("flowgate.api.view.barriers", "outcome", "caught_up");
        this.timedOut = meters.counter("flowgate.api.view.barriers", "outcome", "timed_out");
        this.failed = meters.counter("flowgate.api.view.barriers", "outcome", "failed");
        this.endRequests = meters.counter("flowgate.api.view.barrier.requests", "kind", "end_offsets");
        this.committedRequests = meters.counter("flowgate.api.view.barrier.requests", "kind", "committed_offsets");
    }

    private static Admin admin(KafkaProperties kafka) {
        Map<String, Object> config = kafka.buildAdminProperties();
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "flowgate-api-view-barrier");
        return Admin.create(config);
    }

    /**
     * Completes with true once this replica's view has every record written to {@code partition} of
     * {@code topic} before the call, or with false when it has not within the timeout (the view
     * behind): the caller then answers 503 with {@code Retry-After} rather than a "not found" that may
     * be wrong (an unsubscribe that removed nothing while the subscription lives on). When Kafka cannot
     * be asked at all it completes with true, and the view answers as it is.
     */
    public Mono<Boolean> await(String topic, int partition) {
        return Mono.defer(() -> {
                    Waiter waiter = new Waiter(new TopicPartition(topic, partition));
                    boolean send;
                    synchronized (lock) {
                        awaitingEnd.add(waiter);
                        send = !endOut;
                        endOut = true;
                    }
                    if (send) {
                        readEnds();
                    }
                    // Cancelled (timed out), the future is done and the next request leaves it out.
                    return Mono.fromFuture(waiter.reached);
                })
                .timeout(timeout, Mono.just(false))
                .doOnNext(reached -> (reached ? caughtUp : timedOut).increment())
                .onErrorResume(e -> {
                    // Kafka could not tell (an Admin request failed): the view answers as it is, as it did
                    // before barriers existed, rather than refusing every such read while Kafka is away.
                    log.warn(
                            "View barrier on {}-{} could not ask Kafka; answering from the view as it is",
                            topic,
                            partition,
                            e);
                    failed.increment();
                    return Mono.just(true);
                });
    }

    /**
     * A read whose "not found" is settled: {@code read} first; when it finds nothing, a barrier on
     * {@code partition} of {@code topic}, then {@code read} again. A view that does not catch up in time
     * fails with {@code unavailable} of the cause (the caller's 503).
     */
    public <T> Mono<Optional<T>> settled(
            String topic,
            int partition,
            Supplier<Mono<Optional<T>>> read,
            Function<IllegalStateException, ? extends RuntimeException> unavailable) {
        return read.get()
                .flatMap(found -> found.isPresent()
                        ? Mono.just(found)
                        : await(topic, partition)
                                .flatMap(reached -> reached
                                        ? read.get()
                                        : Mono.error(unavailable.apply(
                                                new IllegalStateException("the view did not catch up with " + topic
                                                        + "-" + partition + " in time")))));
    }

    /** Sends one end-offsets request for every barrier asked for so far; called with {@link #endOut} set. */
    private void readEnds() {
        List<Waiter> batch;
        synchronized (lock) {
            batch = awaitingEnd;
            awaitingEnd = new ArrayList<>();
            batch.removeIf(Waiter::isDone);
            if (batch.isEmpty()) {
                endOut = false;
                return;
            }
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        batch.forEach(waiter -> latest.put(waiter.partition, OffsetSpec.latest()));
        endRequests.increment();
        ask(() -> admin.listOffsets(latest).all()).whenComplete((ends, error) -> {
            if (error != null) {
                batch.forEach(waiter -> waiter.reached.completeExceptionally(error));
            } else {
                boolean poll;
                synchronized (lock) {
                    for (Waiter waiter : batch) {
                        ListOffsetsResult.ListOffsetsResultInfo end = ends.get(waiter.partition);
                        waiter.end = end.offset();
                        awaitingCommit.add(waiter);
                    }
                    poll = !committedOut;
                    committedOut = true;
                }
                if (poll) {
                    readCommitted();
                }
            }
            synchronized (lock) {
                if (awaitingEnd.isEmpty()) {
                    endOut = false;
                    return;
                }
            }
            readEnds(); // those asked for while this request was out
        });
    }

    /**
     * Sends one committed-offsets request for every barrier that has its end offset, releases those
     * reached, and goes again after {@code POLL} while any wait; called with {@link #committedOut} set.
     */
    private void readCommitted() {
        Set<TopicPartition> partitions = new HashSet<>();
        synchronized (lock) {
            awaitingCommit.removeIf(Waiter::isDone);
            if (awaitingCommit.isEmpty()) {
                committedOut = false;
                return;
            }
            awaitingCommit.forEach(waiter -> partitions.add(waiter.partition));
        }
        committedRequests.increment();
        var spec = new ListConsumerGroupOffsetsSpec().topicPartitions(partitions);
        ask(() -> admin.listConsumerGroupOffsets(Map.of(group, spec)).partitionsToOffsetAndMetadata(group))
                .whenComplete((offsets, error) -> {
                    List<Waiter> asked;
                    synchronized (lock) {
                        asked = awaitingCommit.stream()
                                .filter(waiter -> partitions.contains(waiter.partition))
                                .toList();
                    }
                    for (Waiter waiter : asked) {
                        if (error != null) {
                            waiter.reached.completeExceptionally(error);
                            continue;
                        }
                        // No committed offset yet: the group has read nothing of it (an empty partition's
                        // end is 0, so it is reached).
                        OffsetAndMetadata committed = offsets.get(waiter.partition);
                        // Committed offsets only go forward: one at or past the end, read whenever,
                        // means the view holds every record before that end.
                        if ((committed == null ? 0L : committed.offset()) >= waiter.end) {
                            waiter.reached.complete(true);
                        }
                    }
                    synchronized (lock) {
                        awaitingCommit.removeIf(Waiter::isDone);
                        if (awaitingCommit.isEmpty()) {
                            committedOut = false;
                            return;
                        }
                    }
                    Schedulers.parallel().schedule(this::readCommitted, POLL.toMillis(), TimeUnit.MILLISECONDS);
                });
    }

    /**
     * An Admin request as a future that also carries a failure to send it (a closed client): either way
     * its waiters complete and the next request can go out.
     */
    private static <T> CompletableFuture<T> ask(Supplier<KafkaFuture<T>> request) {
        try {
            return request.get().toCompletionStage().toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }

    /** One barrier: its partition, the end offset it waits for once read, and its outcome. */
    private static final class Waiter {
        final TopicPartition partition;
        final CompletableFuture<Boolean> reached = new CompletableFuture<>();
        /** Set before the waiter joins {@link #awaitingCommit}, under the lock. */
        long end;

        Waiter(TopicPartition partition) {
            this.partition = partition;
        }

        /** Done already: reached, failed, or cancelled by its timeout. */
        boolean isDone() {
            return reached.isDone();
        }
    }
}
