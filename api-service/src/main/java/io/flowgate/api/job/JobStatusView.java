package io.flowgate.api.job;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.flowgate.api.config.ApiProperties;
import io.flowgate.contracts.JobStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.stereotype.Component;

/**
 * Reads job statuses, scoped by tenant: another tenant's job is indistinguishable from a missing one.
 *
 * <p>The Kafka Streams store is the source of truth. Jobs this replica accepted in the last
 * {@code acceptedGrace} are also kept in memory until the store has caught up, so a status URL
 * works the instant it is handed out (docs/api.md, GET /api/v1/jobs/{jobId}).
 */
@Component
class JobStatusView {

    private final StreamsBuilderFactoryBean streams;
    private final Cache<String, JobStatus> recentlyAccepted;

    JobStatusView(StreamsBuilderFactoryBean streams, ApiProperties properties) {
        this.streams = streams;
        this.recentlyAccepted = Caffeine.newBuilder()
                .expireAfterWrite(properties.acceptedGrace())
                .build();
    }

    /** Remembers a job this replica has just accepted. */
    void accepted(JobStatus status) {
        recentlyAccepted.put(status.jobId(), status);
    }

    /**
     * The job's latest status if it belongs to {@code tenantId}.
     *
     * @throws StatusViewUnavailable when the store is not queryable (starting, restoring, rebalancing)
     *     and this replica knows nothing of the job
     */
    Optional<JobStatus> find(String tenantId, String jobId) {
        JobStatus status;
        try {
            status = store().get(jobId);
        } catch (InvalidStateStoreException e) {
            JobStatus recent = recentlyAccepted.getIfPresent(jobId);
            if (recent == null) {
                throw new StatusViewUnavailable(e);
            }
            status = recent;
        }
        if (status == null) {
            status = recentlyAccepted.getIfPresent(jobId);
        } else {
            recentlyAccepted.invalidate(jobId);
        }
        return Optional.ofNullable(status).filter(s -> s.tenantId().equals(tenantId));
    }

    /** The job's owner has it: this replica need not vouch for it any longer. */
    void seenByOwner(String jobId) {
        recentlyAccepted.invalidate(jobId);
    }

    /** The job if this replica accepted it within the grace period (its view may not have it yet). */
    Optional<JobStatus> recentlyAccepted(String tenantId, String jobId) {
        return Optional.ofNullable(recentlyAccepted.getIfPresent(jobId))
                .filter(s -> s.tenantId().equals(tenantId));
    }

    /**
     * Every job of {@code tenantId} the view holds. A scan of the whole store: for administration,
     * not for requests.
     *
     * @throws StatusViewUnavailable when the store is not queryable
     */
    List<JobStatus> allOf(String tenantId) {
        List<JobStatus> found = new ArrayList<>();
        try (KeyValueIterator<String, JobStatus> all = store().all()) {
            all.forEachRemaining(entry -> {
                if (entry.value.tenantId().equals(tenantId)) {
                    found.add(entry.value);
                }
            });
        } catch (InvalidStateStoreException e) {
            throw new StatusViewUnavailable(e);
        }
        recentlyAccepted.asMap().values().stream()
                .filter(s -> s.tenantId().equals(tenantId))
                .filter(s -> found.stream().noneMatch(f -> f.jobId().equals(s.jobId())))
                .forEach(found::add);
        return found;
    }

    /** Forgets the jobs this replica accepted for {@code tenantId} and the view has not seen yet. */
    void forgetAccepted(String tenantId) {
        recentlyAccepted.asMap().values().removeIf(s -> s.tenantId().equals(tenantId));
    }

    /** Whether the store answers queries. */
    boolean isQueryable() {
        KafkaStreams kafkaStreams = streams.getKafkaStreams();
        return kafkaStreams != null && kafkaStreams.state() == KafkaStreams.State.RUNNING;
    }

    private ReadOnlyKeyValueStore<String, JobStatus> store() {
        KafkaStreams kafkaStreams = streams.getKafkaStreams();
        if (kafkaStreams == null) {
            throw new InvalidStateStoreException("Kafka Streams has not started yet");
        }
        try {
            return kafkaStreams.store(
                    StoreQueryParameters.fromNameAndType(JobStatusTopology.STORE, QueryableStoreTypes.keyValueStore()));
        } catch (IllegalStateException e) {
            // Kafka Streams is not running (stopping, or failed): as unavailable as a restoring store.
            throw new InvalidStateStoreException("Kafka Streams is not running", e);
        }
    }

    /** The status store cannot be queried right now; a poll should come back shortly. */
    static final class StatusViewUnavailable extends RuntimeException {
        StatusViewUnavailable(Throwable cause) {
            super("the job status view is not queryable yet", cause);
        }
    }
}
