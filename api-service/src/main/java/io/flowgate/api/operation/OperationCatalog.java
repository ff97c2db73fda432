package io.flowgate.api.operation;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.flowgate.contracts.OperationDescriptor;
import io.flowgate.contracts.Topics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.stereotype.Component;

/**
 * The operations workers announce on {@code flowgate.operations}, held in a global store so every
 * API replica knows every operation and its schemas. Compiled input schemas are cached per
 * descriptor version.
 */
@Component
public class OperationCatalog {

    static final String STORE = "operations";

    private final StreamsBuilderFactoryBean streams;
    private final SchemaRegistry schemas = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private final Cache<OperationDescriptor, Schema> compiled =
            Caffeine.newBuilder().maximumSize(1_000).build();

    OperationCatalog(StreamsBuilderFactoryBean streams) {
        this.streams = streams;
    }

    /** Adds the global operations table to the API's topology. */
    public static void addTo(StreamsBuilder builder) {
        builder.globalTable(
                Topics.OPERATIONS.name(),
                Consumed.with(Topics.OPERATIONS.keySerde(), Topics.OPERATIONS.valueSerde()),
                Materialized.as(STORE));
    }

    /** The operation called {@code name}, if a worker announced it. */
    public Optional<OperationDescriptor> find(String name) {
        try {
            return Optional.ofNullable(store().get(name));
        } catch (InvalidStateStoreException e) {
            return Optional.empty();
        }
    }

    /** Every announced operation, by name. */
    public List<OperationDescriptor> all() {
        List<OperationDescriptor> all = new ArrayList<>();
        try (KeyValueIterator<String, OperationDescriptor> it = store().all()) {
            it.forEachRemaining(kv -> all.add(kv.value));
        } catch (InvalidStateStoreException e) {
            return List.of();
        }
        all.sort(Comparator.comparing(OperationDescriptor::name));
        return all;
    }

    /** The compiled input schema of {@code operation}. */
    public Schema inputSchema(OperationDescriptor operation) {
        return compiled.get(operation, op -> schemas.getSchema(op.inputSchema()));
    }

    private ReadOnlyKeyValueStore<String, OperationDescriptor> store() {
        KafkaStreams kafkaStreams = streams.getKafkaStreams();
        if (kafkaStreams == null) {
            throw new InvalidStateStoreException("Kafka Streams has not started yet");
        }
        return kafkaStreams.store(StoreQueryParameters.fromNameAndType(STORE, QueryableStoreTypes.keyValueStore()));
    }
}
