package io.flowgate.tenancy;

import io.flowgate.contracts.TenantRegistration;
import io.flowgate.contracts.TenantStatus;
import io.flowgate.contracts.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tenant registry as this process sees it: every entry of the compacted {@code flowgate.tenants}
 * topic, kept in memory and followed as it changes.
 *
 * <p>It reads all partitions itself (no consumer group), from the beginning, so every replica of
 * every service holds the whole registry; it is small (one entry per tenant). A plain consumer
 * rather than a Kafka Streams global table because the worker and the dispatcher, which run no
 * Streams, need the same view.
 */
public final class TenantDirectory implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TenantDirectory.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final Map<String, TenantRegistration> tenants = new ConcurrentHashMap<>();
    private final List<Consumer<TenantRegistration>> listeners = new CopyOnWriteArrayList<>();
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final KafkaConsumer<String, TenantRegistration> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    private TenantDirectory(Map<String, Object> consumerConfig, String name) {
        Map<String, Object> config = new HashMap<>(consumerConfig);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, name);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(
                config,
                Topics.TENANTS.keySerde().deserializer(),
                Topics.TENANTS.valueSerde().deserializer());
        this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this::run);
    }

    /**
     * Starts following the registry.
     *
     * @param consumerConfig Kafka consumer settings (bootstrap servers, security); a group id is ignored
     * @param name the reader's thread and client name
     */
    public static TenantDirectory start(Map<String, Object> consumerConfig, String name) {
        TenantDirectory directory = new TenantDirectory(consumerConfig, name);
        directory.thread.start();
        return directory;
    }

    /** The tenant's entry, if it was ever registered. */
    public Optional<TenantRegistration> find(String tenantId) {
        return Optional.ofNullable(tenants.get(tenantId));
    }

    /** Whether the tenant was offboarded: its records are to be dropped, not served or run. */
    public boolean isOffboarded(String tenantId) {
        TenantRegistration entry = tenants.get(tenantId);
        return entry != null && entry.status() == TenantStatus.OFFBOARDED;
    }

    /** All entries. */
    public List<TenantRegistration> all() {
        return List.copyOf(tenants.values());
    }

    /**
     * Takes an entry this process has just written (and Kafka acknowledged) before it comes back
     * through the topic, so the writer reads its own write at once.
     */
    public void written(TenantRegistration entry) {
        apply(entry);
    }

    /** Calls {@code listener} with every entry that changes from now on. */
    public void onChange(Consumer<TenantRegistration> listener) {
        listeners.add(listener);
    }

    /** Whether the directory has read the registry up to where it was when the directory started. */
    public boolean isCaughtUp() {
        return caughtUp.getCount() == 0;
    }

    /** Waits until {@link #isCaughtUp()}; answers whether it is. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void apply(TenantRegistration entry) {
        TenantRegistration kept = tenants.merge(
                entry.tenantId(), entry, (old, next) -> next.updatedAt().isBefore(old.updatedAt()) ? old : next);
        if (!entry.equals(kept)) {
            return; // an older entry than the one already known
        }
        listeners.forEach(listener -> listener.accept(entry));
    }

    private void run() {
        try {
            List<TopicPartition> partitions = awaitPartitions();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> startEnd = consumer.endOffsets(partitions);
            while (running) {
                for (ConsumerRecord<String, TenantRegistration> record : consumer.poll(POLL)) {
                    if (record.value() != null) {
                        apply(record.value());
                    } else {
                        tenants.remove(record.key());
                    }
                }
                if (caughtUp.getCount() > 0
                        && startEnd.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    log.info("Tenant registry read: {} tenants", tenants.size());
                    caughtUp.countDown();
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (RuntimeException e) {
            log.error("The tenant registry reader stopped", e);
        } finally {
            consumer.close(Duration.ofSeconds(1));
        }
    }

    /** The topic's partitions, once it exists (the services create it at start-up). */
    private List<TopicPartition> awaitPartitions() {
        while (running) {
            @Nullable List<PartitionInfo> infos = null;
            try {
                infos = consumer.partitionsFor(Topics.TENANTS.name(), Duration.ofSeconds(5));
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                log.debug("Tenant registry topic not reachable yet", e);
            }
            if (infos != null && !infos.isEmpty()) {
                return infos.stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition()))
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
