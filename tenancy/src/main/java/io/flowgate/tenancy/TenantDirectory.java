package io.flowgate.tenancy;

import io.flowgate.contracts.TenantRegistration;
import io.flowgate.contracts.TenantStatus;
import io.flowgate.contracts.Topics;
import io.flowgate.kafka.Readers;
import io.flowgate.kafka.TopicMirror;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

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

    private final Map<String, TenantRegistration> tenants = new ConcurrentHashMap<>();
    private final TopicMirror<TenantRegistration> mirror;

    private TenantDirectory(Map<String, Object> consumerConfig, String name, Readers readers) {
        this.mirror = TopicMirror.start(Topics.TENANTS, consumerConfig, name, readers, (tenantId, entry) -> {
            if (entry != null) {
                apply(entry);
            } else {
                tenants.remove(tenantId);
            }
        });
    }

    /**
     * Starts following the registry.
     *
     * @param consumerConfig Kafka consumer settings (bootstrap servers, security); a group id is ignored
     * @param name the reader's thread and client name
     * @param readers keeps the reader alive and reports it in the service's health
     */
    public static TenantDirectory start(Map<String, Object> consumerConfig, String name, Readers readers) {
        return new TenantDirectory(consumerConfig, name, readers);
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

    /** Whether the directory has read the registry up to where it was when the directory started. */
    public boolean isCaughtUp() {
        return mirror.isCaughtUp();
    }

    /** Waits until {@link #isCaughtUp()}; answers whether it is. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return mirror.awaitCaughtUp(timeout);
    }

    /** The read barrier for one tenant's record, without waiting: see {@link TopicMirror#syncAsync(String)}. */
    public CompletableFuture<Void> syncAsync(String tenantId) {
        return mirror.syncAsync(tenantId);
    }

    private void apply(TenantRegistration entry) {
        tenants.merge(entry.tenantId(), entry, (old, next) -> next.updatedAt().isBefore(old.updatedAt()) ? old : next);
    }

    @Override
    public void close() {
        mirror.close();
    }
}
