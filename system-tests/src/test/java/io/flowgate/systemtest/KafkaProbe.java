package io.flowgate.systemtest;

import io.flowgate.contracts.Topic;
import io.flowgate.devstack.LocalStack;
import io.flowgate.kafka.Readers;
import io.flowgate.kafka.SkippedRecords;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/** Looks at what the stack's topics hold, to check what a request wrote (or did not). */
final class KafkaProbe {

    private KafkaProbe() {}

    /**
     * How far {@code topics} hold records: the sum, over their partitions, of the offset after the
     * last committed record. It grows with every record written to them, and, unlike the end offset,
     * not with the marker that closes a transaction, which the broker writes after the commit returns.
     */
    static long written(LocalStack stack, Topic<?, ?>... topics) {
        try (var consumer = consumer(stack, null)) {
            List<TopicPartition> partitions = new java.util.ArrayList<>();
            for (Topic<?, ?> topic : topics) {
                partitions.addAll(partitions(consumer, topic.name()));
            }
            return afterLastRecords(stack, partitions).values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
        }
    }

    /**
     * Waits until consumer group {@code group} has finished with every record written so far to the
     * topics whose names match {@code topics}: its committed offsets reach the end offsets
     * of this moment. The consumers commit out of order (only below the oldest unfinished record), so
     * this is the positive proof that each of those records was taken and dealt with, delivered or
     * dropped, instead of a wait that merely sees nothing happen.
     */
    static void awaitConsumed(LocalStack stack, String group, String topics, Duration within) {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                        Map.of("bootstrap.servers", stack.bootstrapServers()));
                var consumer = consumer(stack, null)) {
            List<TopicPartition> partitions = new java.util.ArrayList<>();
            for (String topic : admin.listTopics().names().get()) {
                if (topic.matches(topics)) {
                    partitions.addAll(partitions(consumer, topic));
                }
            }
            Map<TopicPartition, Long> ends = afterLastRecords(stack, partitions);
            org.awaitility.Awaitility.await()
                    .atMost(within)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        var committed = admin.listConsumerGroupOffsets(group)
                                .partitionsToOffsetAndMetadata()
                                .get();
                        return ends.entrySet().stream()
                                .allMatch(end -> end.getValue() == 0
                                        || (committed.get(end.getKey()) != null
                                                && committed.get(end.getKey()).offset() >= end.getValue()));
                    });
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Per partition, the offset after its last committed record as of now. Not the end offset: a
     * transaction's commit marker takes an offset too, and a consumer, which commits after the records
     * it handled, never commits past a marker that ends a partition.
     */
    private static Map<TopicPartition, Long> afterLastRecords(LocalStack stack, List<TopicPartition> partitions) {
        Map<TopicPartition, Long> after = new HashMap<>();
        try (var consumer = new KafkaConsumer<>(
                Map.of(
                        "bootstrap.servers",
                        stack.bootstrapServers(),
                        "enable.auto.commit",
                        false,
                        "isolation.level",
                        "read_committed"),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.assign(partitions);
            Map<TopicPartition, Long> stable = consumer.endOffsets(partitions); // read_committed: the LSO
            for (TopicPartition partition : partitions) {
                long end = stable.get(partition);
                after.put(partition, 0L);
                for (long from = Math.max(0, end - 64); end > 0; from = Math.max(0, from - 1024)) {
                    consumer.seek(partition, from);
                    while (consumer.position(partition) < end) {
                        for (var record : consumer.poll(Duration.ofMillis(200)).records(partition)) {
                            if (record.offset() < end) {
                                after.put(partition, record.offset() + 1);
                            }
                        }
                    }
                    if (after.get(partition) > 0 || from == 0) {
                        break;
                    }
                }
            }
        }
        return after;
    }

    /**
     * The latest record of each of {@code keys} in {@code topic} (empty when the latest is a
     * tombstone), reading the topic to its end.
     */
    static <V> Map<String, Optional<V>> latest(LocalStack stack, Topic<String, V> topic, List<String> keys) {
        Map<String, Optional<V>> latest = new HashMap<>();
        try (var consumer = consumer(stack, topic)) {
            List<TopicPartition> partitions = partitions(consumer, topic.name());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, Object> record : SKIPPED.poll(consumer, Duration.ofMillis(500))) {
                    if (keys.contains(record.key())) {
                        @SuppressWarnings("unchecked")
                        V value = (V) record.value();
                        latest.put(record.key(), Optional.ofNullable(value));
                    }
                }
            }
        }
        return latest;
    }

    /** The raw bytes of the latest record of {@code key} in {@code topic}, reading it to its end. */
    static byte[] rawLatest(LocalStack stack, String topic, String key) {
        byte[] latest = null;
        try (var consumer = consumer(stack, null)) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, Object> record : consumer.poll(Duration.ofMillis(500))) {
                    if (key.equals(record.key())) {
                        latest = (byte[]) record.value();
                    }
                }
            }
        }
        if (latest == null) {
            throw new AssertionError("no record of " + key + " in " + topic);
        }
        return latest;
    }

    /** Steps over records no reader can read (the fault tests write such records), as the services do. */
    private static final SkippedRecords SKIPPED = new Readers(new SimpleMeterRegistry()).skipped("system-test-probe");

    private static List<TopicPartition> partitions(KafkaConsumer<String, Object> consumer, String topic) {
        return consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .toList();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static KafkaConsumer<String, Object> consumer(LocalStack stack, Topic<String, ?> topic) {
        var deserializer = topic == null
                ? new org.apache.kafka.common.serialization.ByteArrayDeserializer()
                : topic.valueSerde().deserializer();
        return new KafkaConsumer<>(
                Map.of("bootstrap.servers", stack.bootstrapServers(), "enable.auto.commit", false),
                new org.apache.kafka.common.serialization.StringDeserializer(),
                (org.apache.kafka.common.serialization.Deserializer) deserializer);
    }
}
