package io.flowgate.kafka;

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
import java.util.concurrent.TimeUnit;
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
 *
 * <p>A record that cannot be read, or that the callback throws on, is skipped and counted ({@link
 * SkippedRecords}); a reader that fails for any other reason is started again by {@link Readers} and
 * goes on from where it was, and the service's health says DOWN until it reads again.
 */
public final class TopicMirror<V> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TopicMirror.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration BARRIER_POLL = Duration.ofMillis(5);

    private final Topic<String, V> topic;
    private final BiConsumer<String, @Nullable V> onRecord;
    private final Map<String, Object> config;
    private final Map<String, Object> eagerConfig;
    private final Map<String, Object> probeConfig;
    private final SkippedRecords skipped;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final ConcurrentLinkedQueue<SyncRequest> syncRequests = new ConcurrentLinkedQueue<>();
    /** Where reading goes on after a restart of the reader: the next offset of every partition. */
    private final Map<TopicPartition, Long> positions = new HashMap<>();

    private final Reader reader;

    private TopicMirror(
            Topic<String, V> topic,
            Map<String, Object> consumerConfig,
            String name,
            Readers readers,
            BiConsumer<String, @Nullable V> onRecord) {
        this.topic = topic;
        this.onRecord = onRecord;
        Map<String, Object> config = new HashMap<>(consumerConfig);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        // Two readers, one at a time. While no barrier waits, the idle one: the broker holds its fetch
        // up to Kafka's default 500 ms, so an idle mirror costs next to nothing. While a barrier waits,
        // the eager one, whose fetch the broker holds at most 20 ms: a read-committed fetch held open
        // (a transaction still open on the partition) delays the barrier behind it, and 500 ms made
        // barriers under load 4 times slower. Measured both ways in docs/decisions.md.
        Map<String, Object> eagerConfig = new HashMap<>(config);
        eagerConfig.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
        eagerConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, name + "-eager-" + System.identityHashCode(this));
        this.eagerConfig = eagerConfig;
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 500);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, name + "-" + System.identityHashCode(this));
        this.config = config;
        // The barrier's target is the log end (high watermark), not the last stable offset a
        // read-committed consumer reports: a transaction committed just before the barrier may sit
        // behind one still open, above the LSO. Reading up to the high watermark waits for both.
        Map<String, Object> probeConfig = new HashMap<>(config);
        probeConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        probeConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, name + "-end-" + System.identityHashCode(this));
        this.probeConfig = probeConfig;
        this.skipped = readers.skipped(name);
        this.reader = readers.start(name, this::run);
    }

    /**
     * Starts following {@code topic}.
     *
     * @param consumerConfig Kafka consumer settings (bootstrap servers, security); a group id is ignored
     * @param name the reader's thread and client name
     * @param readers keeps the reader alive and reports it in health; records it cannot read, or
     *     that {@code onRecord} throws on, are skipped and counted there
     * @param onRecord called on the reader's thread with each record's key and value (null: tombstone)
     */
    public static <V> TopicMirror<V> start(
            Topic<String, V> topic,
            Map<String, Object> consumerConfig,
            String name,
            Readers readers,
            BiConsumer<String, @Nullable V> onRecord) {
        return new TopicMirror<>(topic, consumerConfig, name, readers, onRecord);
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
     * The read barrier for the whole topic: completes once every record committed before this call
     * has been handed over. Cancelling it withdraws the request.
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
        reader.wakeUp();
        return request.done();
    }

    /** A barrier asked for: all partitions, or the one that holds {@code key}. */
    private record SyncRequest(CompletableFuture<Void> done, byte @Nullable [] key) {}

    private record Target(Map<TopicPartition, Long> endOffsets, List<CompletableFuture<Void>> waiters) {}

    /** The two readers of one life, and which of them read last. */
    private final class Clients {
        final KafkaConsumer<String, V> idle;
        final KafkaConsumer<String, V> eager;
        boolean eagerRead;

        Clients() {
            idle = new KafkaConsumer<>(
                    config, topic.keySerde().deserializer(), topic.valueSerde().deserializer());
            eager = new KafkaConsumer<>(
                    eagerConfig,
                    topic.keySerde().deserializer(),
                    topic.valueSerde().deserializer());
        }

        /**
         * The reader for this round, placed where the other one stopped when they change over (a
         * seek is local; what the other had fetched beyond is dropped and fetched again).
         */
        KafkaConsumer<String, V> reader(boolean barrierWaits) {
            KafkaConsumer<String, V> next = barrierWaits ? eager : idle;
            if (barrierWaits != eagerRead) {
                positions.forEach(next::seek);
                eagerRead = barrierWaits;
            }
            return next;
        }

        void close() {
            idle.close(Duration.ofSeconds(1));
            eager.close(Duration.ofSeconds(1));
        }
    }

    /** One life of the reader: fresh clients that go on from where the last life ended. */
    private void run(Reader reader) {
        List<Target> targets = new ArrayList<>();
        Clients clients = new Clients();
        KafkaConsumer<byte[], byte[]> endProbe =
                new KafkaConsumer<>(probeConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        // The idle reader is the one that blocks (up to POLL): a barrier asked for wakes it up.
        reader.attach(clients.idle);
        try {
            List<TopicPartition> partitions = awaitPartitions(clients.idle, reader);
            for (KafkaConsumer<String, V> consumer : List.of(clients.idle, clients.eager)) {
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                positions.forEach(consumer::seek);
            }
            endProbe.assign(partitions); // never polled: assigned so that its end-offset lookups are quiet
            Map<TopicPartition, Long> startEnd = null;
            while (!reader.isStopping()) {
                try {
                    if (startEnd == null) {
                        startEnd = clients.idle.endOffsets(partitions);
                    }
                    step(clients, endProbe, partitions, startEnd, targets);
                    reader.up();
                } catch (WakeupException e) {
                    // a sync request (or close) interrupted a blocking call: go round again
                } catch (org.apache.kafka.common.errors.TimeoutException e) {
                    log.debug("{}: Kafka did not answer in time; trying again", topic.name(), e);
                }
            }
        } catch (WakeupException e) {
            if (!reader.isStopping()) {
                throw e;
            }
        } finally {
            clients.close();
            endProbe.close(Duration.ofSeconds(1));
            // Barriers of this life are asked again in the next one.
            targets.forEach(
                    target -> target.waiters().forEach(waiter -> syncRequests.add(new SyncRequest(waiter, null))));
        }
    }

    private void step(
            Clients clients,
            KafkaConsumer<byte[], byte[]> endProbe,
            List<TopicPartition> partitions,
            Map<TopicPartition, Long> startEnd,
            List<Target> targets) {
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
        // While a barrier waits, the eager reader polls briefly: its records may already be here, or
        // arrive at once.
        boolean barrierWaits = !targets.isEmpty();
        KafkaConsumer<String, V> consumer = clients.reader(barrierWaits);
        for (ConsumerRecord<String, V> record : skipped.poll(consumer, barrierWaits ? BARRIER_POLL : POLL)) {
            skipped.process(record, r -> onRecord.accept(r.key(), r.value()));
        }
        for (TopicPartition partition : partitions) {
            positions.put(partition, consumer.position(partition));
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

    /** Whether what has been handed over reaches {@code endOffsets} (no position read yet: not). */
    private boolean reached(Map<TopicPartition, Long> endOffsets) {
        return endOffsets.entrySet().stream().allMatch(e -> positions.getOrDefault(e.getKey(), -1L) >= e.getValue());
    }

    /** The topic's partitions, once it exists (the services create it at start-up). */
    private List<TopicPartition> awaitPartitions(KafkaConsumer<String, V> consumer, Reader reader) {
        while (!reader.isStopping()) {
            @Nullable List<PartitionInfo> infos = null;
            try {
                infos = consumer.partitionsFor(topic.name(), Duration.ofSeconds(5));
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                log.debug("{} not reachable yet", topic.name(), e);
            } catch (WakeupException e) {
                if (reader.isStopping()) {
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
                if (reader.isStopping()) {
                    break;
                }
            }
        }
        throw new WakeupException();
    }

    @Override
    public void close() {
        reader.stop(Duration.ofSeconds(5));
    }
}
