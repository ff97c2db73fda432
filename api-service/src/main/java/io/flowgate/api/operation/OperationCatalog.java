package io.flowgate.api.operation;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.flowgate.api.problem.FlowgateProblem;
import io.flowgate.contracts.OperationDescriptor;
import io.flowgate.contracts.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.stereotype.Component;

/**
 * The operations workers announce on {@code flowgate.operations}, held in a global store so every
 * API replica knows every operation and its schemas. Looked-up descriptors and their compiled input
 * schemas are kept in memory for a few seconds: reading and parsing them from the store on every
 * request was the largest cost of the accept path (docs/performance.md), and a newly announced
 * version is seen within {@link #FRESHNESS}.
 */
@Component
public class OperationCatalog {

    private static final Logger log = LoggerFactory.getLogger(OperationCatalog.class);

    static final String STORE = "operations";

    /** Names whose unreadable entry has been logged. */
    private final Set<String> unreadable = ConcurrentHashMap.newKeySet();

    /** How long a looked-up operation is served from memory. */
    static final Duration FRESHNESS = Duration.ofSeconds(5);

    private final StreamsBuilderFactoryBean streams;
    private final SchemaRegistry schemas = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private final Cache<String, Optional<Entry>> entries =
            Caffeine.newBuilder().maximumSize(1_000).expireAfterWrite(FRESHNESS).build();

    /** A descriptor with its compiled input schema. */
    private record Entry(OperationDescriptor descriptor, Schema inputSchema) {}

    OperationCatalog(StreamsBuilderFactoryBean streams) {
        this.streams = streams;
    }

    /** Adds the global operations table to the API's topology. */
    public static void addTo(StreamsBuilder builder) {
        builder.globalTable(
                Topics.OPERATIONS.name(),
                // Raw bytes, read by this class entry by entry: a global store restores its topic
                // without deserializing, so one unreadable announcement must not hide the catalog.
                Consumed.with(Topics.OPERATIONS.keySerde(), Serdes.ByteArray()),
                Materialized.as(STORE));
    }

    /** The operation called {@code name}, if a worker announced it. */
    public Optional<OperationDescriptor> find(String name) {
        return entry(name).map(Entry::descriptor);
    }

    private Optional<Entry> entry(String name) {
        Optional<Entry> cached = entries.getIfPresent(name);
        if (cached != null) {
            return cached;
        }
        try {
            Optional<Entry> found = Optional.ofNullable(read(name, store().get(name)))
                    .map(op -> new Entry(op, schemas.getSchema(op.inputSchema())));
            if (found.isPresent()) {
                entries.put(name, found); // an unknown name is not cached: a worker may announce it any moment
            }
            return found;
        } catch (InvalidStateStoreException e) {
            // Not "no such operation" (a 404 the engine would not retry): the catalog is not loaded.
            throw FlowgateProblem.temporarilyUnavailable(
                    "The operation catalog is being loaded; retry shortly.", UNAVAILABLE_RETRY_AFTER, e);
        }
    }

    private static final Duration UNAVAILABLE_RETRY_AFTER = Duration.ofSeconds(5);

    /** Every announced operation, by name. */
    public List<OperationDescriptor> all() {
        List<OperationDescriptor> all = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store().all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> entry = it.next();
                OperationDescriptor operation = read(entry.key, entry.value);
                if (operation != null) {
                    all.add(operation);
                }
            }
        } catch (InvalidStateStoreException e) {
            return List.of();
        }
        all.sort(Comparator.comparing(OperationDescriptor::name));
        return all;
    }

    /** The compiled input schema of {@code operation}. */
    public Schema inputSchema(OperationDescriptor operation) {
        return entry(operation.name())
                .filter(e -> e.descriptor().equals(operation))
                .map(Entry::inputSchema)
                .orElseGet(() -> schemas.getSchema(operation.inputSchema()));
    }

    /**
     * The announcement, or null when there is none or it cannot be read: skipped, and logged once per
     * name (every catalog request reads it again, and requests are the tenants' to make).
     */
    private @Nullable OperationDescriptor read(String name, byte @Nullable [] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return Topics.OPERATIONS.valueSerde().deserializer().deserialize(Topics.OPERATIONS.name(), bytes);
        } catch (SerializationException e) {
            if (unreadable.add(name)) {
                log.warn("Skipping the unreadable entry '{}' of the operation catalog: {}", name, e.toString());
            }
            return null;
        }
    }

    private ReadOnlyKeyValueStore<String, byte[]> store() {
        KafkaStreams kafkaStreams = streams.getKafkaStreams();
        if (kafkaStreams == null) {
            throw new InvalidStateStoreException("Kafka Streams has not started yet");
        }
        try {
            return kafkaStreams.store(StoreQueryParameters.fromNameAndType(STORE, QueryableStoreTypes.keyValueStore()));
        } catch (IllegalStateException e) {
            // Kafka Streams is not running (stopping, or failed): as unavailable as a restoring store.
            throw new InvalidStateStoreException("Kafka Streams is not running", e);
        }
    }
}
