package io.flowgate.tenancy;

import io.flowgate.contracts.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows every partition of one compacted topic from the beginning, in a thread of its own, and
 * hands each record to a callback (a null value is a tombstone). No consumer group: every replica of
 * every service reads the whole topic. Committed records only.
 *
 * <p>{@link #sync} is a read barrier: it answers once every record committed before the call has
 * been handed over, so a reader can act on "this key is absent" without racing a write that was
 * acknowledged just before. Concurrent callers share one end-offsets request. {@link
 * #syncAsync(String)} is the same barrier for the one partition that holds a key: it waits only for
 * writes to that partition, not for a transaction still open on another.
 */
public final class TopicMirror<V> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TopicMirror.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration BARRIER_POLL = Duration.ofMillis(5);

    private final Topic<String, V> topic;
    private final BiConsumer<String, @Nullable V> onRecord;
    private final KafkaConsumer<String, V> consumer;
    private final KafkaConsumer<byte[], byte[]> endProbe;
    private final Thread thread;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final ConcurrentLinkedQueue<SyncRequest> syncRequests = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;

    private TopicMirror(
            Topic<String, V> topic,
            Map<String, Object> consumerConfig,
            String name,
            BiConsumer<String, @Nullable V> onRecord) {
        this.topic = topic;
        this.onRecord = onRecord;
        Map<String, Object> config = new HashMap<>(consumerConfig);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // Short, for the barrier: a read-committed fetch the broker holds open (a transaction still
        // open on the partition) delays the barrier behind it. Kafka's default (500 ms) made barriers
        // under load 4 times slower and halved an idle stack's CPU; measured in decisions.md.
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, name + "-" + System.identityHashCode(this));
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(
                config, topic.keySerde().deserializer(), topic.valueSerde().deserializer());
        // The barrier's target is the log end (high watermark), not the last stable offset a
        // read-committed consumer reports: a transaction committed just before the barrier may sit
        // behind one still open, above the LSO. Reading up to the high watermark waits for both.
        Map<String, Object> probeConfig = new HashMap<>(config);
        probeConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        probeConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, name + "-end-" + System.identityHashCode(this));
        this.endProbe = new KafkaConsumer<>(probeConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this::run);
    }

    /**
     * Starts following {@code topic}.
     *
     * @param consumerConfig Kafka consumer settings (bootstrap servers, security); a group id is ignored
     * @param name the reader's thread and client name
     * @param onRecord called on the reader's thread with each record's key and value (null: tombstone)
     */
    public static <V> TopicMirror<V> start(
            Topic<String, V> topic,
            Map<String, Object> consumerConfig,
            String name,
            BiConsumer<String, @Nullable V> onRecord) {
        TopicMirror<V> mirror = new TopicMirror<>(topic, consumerConfig, name, onRecord);
        mirror.thread.start();
        return mirror;
    }

    /** Whether the topic has been read up to where it was when the mirror started. */
    public boolean isCaughtUp() {
        return caughtUp.getCount() == 0;
    }

    /** Waits until {@link #isCaughtUp()}; answers whether it is. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Waits until every record committed to the topic before this call has been handed over.
     *
     * @return false when that did not happen within {@code timeout} (Kafka unreachable, say)
     */
    public boolean sync(Duration timeout) throws InterruptedException {
        CompletableFuture<Void> done = syncAsync();
        try {
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            done.cancel(false);
            return false;
        }
    }

    /**
     * Like {@link #sync(Duration)} without waiting: completes once every record committed before
     * this call has been handed over. Cancelling it withdraws the request.
     */
    public CompletableFuture<Void> syncAsync() {
        return request(null);
    }

    /**
     * The read barrier for one key: completes once every record committed before this call to the
     * partition that holds {@code key} has been handed over. Records are placed by the producer's
     * default partitioner, as everywhere in Flowgate.
     */
    public CompletableFuture<Void> syncAsync(String key) {
        return request(topic.keySerde().serializer().serialize(topic.name(), key));
    }

    private CompletableFuture<Void> request(byte @Nullable [] key) {
        SyncRequest request = new SyncRequest(new CompletableFuture<>(), key);
        request.done().whenComplete((ignored, failure) -> {
            if (request.done().isCancelled()) {
                syncRequests.remove(request);
            }
        });
        syncRequests.add(request);
        consumer.wakeup();
        return request.done();
    }

    /** A barrier asked for: all partitions, or the one that holds {@code key}. */
    private record SyncRequest(CompletableFuture<Void> done, byte @Nullable [] key) {}

    private record Target(Map<TopicPartition, Long> endOffsets, List<CompletableFuture<Void>> waiters) {}

    private void run() {
        List<Target> targets = new ArrayList<>();
        try {
            List<TopicPartition> partitions = awaitPartitions();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            endProbe.assign(partitions); // never polled: assigned so that its end-offset lookups are quiet
            Map<TopicPartition, Long> startEnd = null;
            while (running) {
                try {
                    if (startEnd == null) {
                        startEnd = consumer.endOffsets(partitions);
                    }
                    step(partitions, startEnd, targets);
                } catch (WakeupException e) {
                    // a sync request (or close) interrupted a blocking call: go round again
                } catch (org.apache.kafka.common.errors.TimeoutException e) {
                    log.debug("{}: Kafka did not answer in time; trying again", topic.name(), e);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (RuntimeException e) {
            log.error("The reader of {} stopped", topic.name(), e);
        } finally {
            consumer.close(Duration.ofSeconds(1));
            endProbe.close(Duration.ofSeconds(1));
        }
    }

    private void step(List<TopicPartition> partitions, Map<TopicPartition, Long> startEnd, List<Target> targets) {
        List<SyncRequest> requests = new ArrayList<>();
        for (SyncRequest request; (request = syncRequests.poll()) != null; ) {
            requests.add(request);
        }
        if (!requests.isEmpty()) {
            // One end-offsets request for the round: the partitions its barriers need, together.
            Set<TopicPartition> needed = new HashSet<>();
            for (SyncRequest request : requests) {
                if (request.key() == null) {
                    needed.addAll(partitions);
                } else {
                    // The function KafkaProducer itself places keyed records with (murmur2 of the
                    // serialized key), so this is exactly the partition the writers used.
                    needed.add(partitions.get(BuiltInPartitioner.partitionForKey(request.key(), partitions.size())));
                }
            }
            try {
                targets.add(new Target(
                        endProbe.endOffsets(needed),
                        requests.stream().map(SyncRequest::done).toList()));
            } catch (RuntimeException e) {
                syncRequests.addAll(requests); // ask again on the next round
                throw e;
            }
        }
        completeReached(targets);
        // While a barrier waits, poll briefly: its records may already be here, or arrive at once.
        for (ConsumerRecord<String, V> record : consumer.poll(targets.isEmpty() ? POLL : BARRIER_POLL)) {
            onRecord.accept(record.key(), record.value());
        }
        completeReached(targets);
        if (caughtUp.getCount() > 0 && reached(startEnd)) {
            log.info("{} read", topic.name());
            caughtUp.countDown();
        }
    }

    private void completeReached(List<Target> targets) {
        targets.removeIf(target -> {
            if (reached(target.endOffsets())) {
                target.waiters().forEach(waiter -> waiter.complete(null));
                return true;
            }
            return false;
        });
    }

    private boolean reached(Map<TopicPartition, Long> endOffsets) {
        return endOffsets.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }

    /** The topic's partitions, once it exists (the services create it at start-up). */
    private List<TopicPartition> awaitPartitions() {
        while (running) {
            @Nullable List<PartitionInfo> infos = null;
            try {
                infos = consumer.partitionsFor(topic.name(), Duration.ofSeconds(5));
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                log.debug("{} not reachable yet", topic.name(), e);
            } catch (WakeupException e) {
                if (!running) {
                    break;
                }
                continue;
            }
            if (infos != null && !infos.isEmpty()) {
                return infos.stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition()))
                        .sorted(java.util.Comparator.comparingInt(TopicPartition::partition))
                        .toList();
            }
            try {
                Thread.sleep(200); // the topic does not exist yet: ask again shortly
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new WakeupException();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
