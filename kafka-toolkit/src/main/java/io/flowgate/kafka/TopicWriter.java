package io.flowgate.kafka;

import io.flowgate.contracts.Topic;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.MicrometerProducerListener;

/**
 * The producer of a service: every record is written to a {@link Topic} with that topic's key and
 * value types and serdes, so a value can only go to the topic made for it. Writes are idempotent and
 * acknowledged by every in-sync replica (acks=all); {@link DurableWrites} retries them where a
 * write must not be lost. Producer metrics go to Micrometer; with an {@link ObservationRegistry},
 * each send is observed and the current trace context travels in the record's headers (W3C
 * {@code traceparent}), so the reader of the record continues the trace.
 */
public final class TopicWriter implements AutoCloseable {

    /** The writes of one transaction. */
    public interface Transaction {
        /** Adds a record (a tombstone when {@code value} is null) to the transaction. */
        <K, V> void send(Topic<K, V> topic, K key, @Nullable V value);
    }

    private final DefaultKafkaProducerFactory<byte[], byte[]> factory;
    private final KafkaTemplate<byte[], byte[]> template;

    private TopicWriter(
            Map<String, Object> producerConfig,
            MeterRegistry meters,
            ObservationRegistry observations,
            @Nullable String transactionIdPrefix) {
        Map<String, Object> config = new HashMap<>(producerConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        this.factory = new DefaultKafkaProducerFactory<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        if (transactionIdPrefix != null) {
            factory.setTransactionIdPrefix(transactionIdPrefix);
        }
        factory.addListener(new MicrometerProducerListener<>(meters));
        this.template = new KafkaTemplate<>(factory);
        if (!observations.isNoop()) {
            template.setObservationRegistry(observations);
            template.setObservationEnabled(true);
        }
    }

    /** A writer of single records. */
    public static TopicWriter create(Map<String, Object> producerConfig, MeterRegistry meters) {
        return create(producerConfig, meters, ObservationRegistry.NOOP);
    }

    /** A writer of single records whose sends carry the current trace context. */
    public static TopicWriter create(
            Map<String, Object> producerConfig, MeterRegistry meters, ObservationRegistry observations) {
        return new TopicWriter(producerConfig, meters, observations, null);
    }

    /**
     * A writer of transactions, with transactional ids starting with {@code transactionIdPrefix}
     * (unique to the process where nothing consumed is part of the transaction).
     */
    public static TopicWriter transactional(
            Map<String, Object> producerConfig, MeterRegistry meters, String transactionIdPrefix) {
        return transactional(producerConfig, meters, ObservationRegistry.NOOP, transactionIdPrefix);
    }

    /** A writer of transactions whose sends carry the current trace context. */
    public static TopicWriter transactional(
            Map<String, Object> producerConfig,
            MeterRegistry meters,
            ObservationRegistry observations,
            String transactionIdPrefix) {
        return new TopicWriter(producerConfig, meters, observations, transactionIdPrefix);
    }

    /**
     * Sends a record (a tombstone when {@code value} is null); the future completes once Kafka has
     * it. A value that cannot be serialized throws here.
     */
    public <K, V> CompletableFuture<RecordMetadata> send(Topic<K, V> topic, K key, @Nullable V value) {
        return template.send(record(topic, key, value)).thenApply(result -> result.getRecordMetadata());
    }

    /** Writes {@code writes} in one transaction, returning once it is committed (or throwing). */
    public void inTransaction(Consumer<Transaction> writes) {
        template.executeInTransaction((KafkaOperations<byte[], byte[]> operations) -> {
            writes.accept(new Transaction() {
                @Override
                public <K, V> void send(Topic<K, V> topic, K key, @Nullable V value) {
                    operations.send(record(topic, key, value));
                }
            });
            return true;
        });
    }

    private static <K, V> ProducerRecord<byte[], byte[]> record(Topic<K, V> topic, K key, @Nullable V value) {
        byte[] keyBytes = topic.keySerde().serializer().serialize(topic.name(), key);
        byte[] valueBytes =
                value == null ? null : topic.valueSerde().serializer().serialize(topic.name(), value);
        return new ProducerRecord<>(topic.name(), keyBytes, valueBytes);
    }

    @Override
    public void close() {
        factory.destroy();
    }
}
