package io.flowgate.api.replica;

import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.stereotype.Component;

/**
 * Which replica's Kafka Streams task holds a key of a store: the views are partitioned among the
 * api-service replicas, and a read of a key another replica owns goes there ({@link ReplicaClient}).
 */
@Component
public class StoreRoutes {

    private final StreamsBuilderFactoryBean streams;
    private final HostInfo self;
    private static final long REPLICAS_TTL_NANOS = 1_000_000_000L;
    private volatile int replicasCount = 1;
    private volatile long replicasReadAt = System.nanoTime() - REPLICAS_TTL_NANOS - 1;

    StoreRoutes(StreamsBuilderFactoryBean streams, ReplicaProperties replica) {
        this.streams = streams;
        this.self = new HostInfo(replica.host(), replica.port());
    }

    /** Where a key lives. */
    public sealed interface Route {}

    /** In this replica's store, in {@code partition}. */
    public record Local(int partition) implements Route {}

    /** In the store of the replica at {@code owner}. */
    public record Remote(HostInfo owner, int partition) implements Route {}

    /** Nobody can say right now: Kafka Streams is starting, restoring the assignment, or stopped. */
    public record Unknown() implements Route {}

    /** Where {@code key} of {@code store} lives now. */
    public Route route(String store, String key) {
        KafkaStreams kafkaStreams = streams.getKafkaStreams();
        if (kafkaStreams == null || kafkaStreams.state() != KafkaStreams.State.RUNNING) {
            return new Unknown();
        }
        KeyQueryMetadata metadata;
        try {
            metadata =
                    kafkaStreams.queryMetadataForKey(store, key, Serdes.String().serializer());
        } catch (IllegalStateException e) {
            return new Unknown(); // stopped between the check and the call
        }
        if (metadata == null || metadata.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            return new Unknown();
        }
        if (metadata.activeHost().equals(self)) {
            return new Local(metadata.partition());
        }
        return new Remote(metadata.activeHost(), metadata.partition());
    }

    /**
     * The share of {@code store}'s partitions this replica's active tasks hold: 1 with one replica,
     * and also while nobody can say (starting, rebalancing), so a quota is never tightened by a
     * view that is not there yet.
     */
    public double share(String store) {
        KafkaStreams kafkaStreams = streams.getKafkaStreams();
        if (kafkaStreams == null || kafkaStreams.state() != KafkaStreams.State.RUNNING) {
            return 1;
        }
        int total = 0;
        int local = 0;
        try {
            for (StreamsMetadata replica : kafkaStreams.streamsMetadataForStore(store)) {
                total += replica.topicPartitions().size();
                if (replica.hostInfo().equals(self)) {
                    local += replica.topicPartitions().size();
                }
            }
        } catch (IllegalStateException e) {
            return 1;
        }
        return total == 0 || local == 0 ? 1 : (double) local / total;
    }

    /**
     * How many api-service replicas run now (Kafka Streams clients of this application), at least 1.
     * Every request's rate check asks, so the count is read from Kafka Streams at most once a second.
     */
    public int replicas() {
        long now = System.nanoTime();
        if (now - replicasReadAt > REPLICAS_TTL_NANOS) {
            replicasCount = countReplicas();
            replicasReadAt = now;
        }
        return replicasCount;
    }

    private int countReplicas() {
        KafkaStreams kafkaStreams = streams.getKafkaStreams();
        if (kafkaStreams == null || kafkaStreams.state() != KafkaStreams.State.RUNNING) {
            return 1;
        }
        try {
            return Math.max(1, kafkaStreams.metadataForAllStreamsClients().size());
        } catch (IllegalStateException e) {
            return 1;
        }
    }

    /** The other api-service replicas running now, as Kafka Streams' client metadata names them. */
    public List<HostInfo> others() {
        KafkaStreams kafkaStreams = streams.getKafkaStreams();
        if (kafkaStreams == null || kafkaStreams.state() != KafkaStreams.State.RUNNING) {
            return List.of();
        }
        try {
            return kafkaStreams.metadataForAllStreamsClients().stream()
                    .map(StreamsMetadata::hostInfo)
                    .filter(host -> !host.equals(self))
                    .toList();
        } catch (IllegalStateException e) {
            return List.of();
        }
    }

    /** This replica's address, as the others know it. */
    public HostInfo self() {
        return self;
    }
}
