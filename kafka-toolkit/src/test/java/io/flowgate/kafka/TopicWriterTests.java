package io.flowgate.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowgate.contracts.Topic;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

/** Typed writes against a real broker: the topic's serdes, tombstones, transactions. */
class TopicWriterTests {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private static Topic<String, Long> topic(String name) {
        TestBroker.createTopic(name, 1);
        return new Topic<>(name, Serdes.String(), Serdes.Long(), Map.of());
    }

    private static List<ConsumerRecord<String, Long>> readAll(Topic<String, Long> topic, int expected) {
        try (var consumer = new KafkaConsumer<>(
                Map.<String, Object>of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        TestBroker.bootstrap(),
                        ConsumerConfig.GROUP_ID_CONFIG,
                        topic.name() + "-reader",
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest",
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed"),
                topic.keySerde().deserializer(),
                topic.valueSerde().deserializer())) {
            consumer.subscribe(List.of(topic.name()));
            List<ConsumerRecord<String, Long>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    private static Map<String, Object> config() {
        return Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestBroker.bootstrap());
    }

    @Test
    void aRecordIsWrittenWithItsTopicsSerdesAndATombstoneHasNoValue() throws Exception {
        Topic<String, Long> topic = topic("writer-typed");
        try (var writer = TopicWriter.create(config(), meters)) {
            writer.send(topic, "answer", 42L).get();
            writer.send(topic, "answer", null).get();
        }
        var records = readAll(topic, 2);
        assertThat(records).extracting(ConsumerRecord::key).containsExactly("answer", "answer");
        assertThat(records).extracting(ConsumerRecord::value).containsExactly(42L, null);
    }

    @Test
    void aTransactionIsSeenWholeOrNotAtAll() {
        Topic<String, Long> topic = topic("writer-transactions");
        try (var writer = TopicWriter.transactional(config(), meters, "writer-test-")) {
            writer.inTransaction(tx -> {
                tx.send(topic, "a", 1L);
                tx.send(topic, "b", 2L);
            });
            assertThatThrownBy(() -> writer.inTransaction(tx -> {
                        tx.send(topic, "c", 3L);
                        throw new IllegalStateException("changed my mind");
                    }))
                    .hasMessageContaining("changed my mind");
            writer.inTransaction(tx -> tx.send(topic, "d", 4L));
        }
        assertThat(readAll(topic, 3)).extracting(ConsumerRecord::key).containsExactly("a", "b", "d");
    }
}
