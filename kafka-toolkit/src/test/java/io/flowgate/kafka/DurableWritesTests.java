package io.flowgate.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** Durable writes against a real broker: acknowledged, never retried when hopeless, stoppable. */
class DurableWritesTests {

    @org.junit.jupiter.api.BeforeAll
    static void createTopic() {
        TestBroker.createTopic("durable", 1);
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        ProducerConfig.MAX_BLOCK_MS_CONFIG,
                        500),
                new ByteArraySerializer(),
                new ByteArraySerializer());
    }

    @Test
    void aRecordKafkaTakesIsWrittenOnce() {
        var attempts = new AtomicInteger();
        try (var producer = producer(TestBroker.bootstrap())) {
            DurableWrites.write(
                    "a small record",
                    () -> {
                        attempts.incrementAndGet();
                        return producer.send(new ProducerRecord<>("durable", new byte[100]));
                    },
                    () -> false,
                    Duration.ofSeconds(1));
        }
        assertThat(attempts).hasValue(1);
    }

    @Test
    void aRecordKafkaCanNeverTakeIsNotRetried() {
        var attempts = new AtomicInteger();
        try (var producer = producer(TestBroker.bootstrap())) {
            assertThatThrownBy(() -> DurableWrites.write(
                            "a record over max.request.size",
                            () -> {
                                attempts.incrementAndGet();
                                return producer.send(new ProducerRecord<>("durable", new byte[2 * 1024 * 1024]));
                            },
                            () -> false,
                            Duration.ofSeconds(1)))
                    .isInstanceOf(DurableWrites.Unwritable.class)
                    .hasRootCauseInstanceOf(RecordTooLargeException.class);
        }
        assertThat(attempts).hasValue(1);
    }

    @Test
    void whileKafkaIsAwayTheWriteIsTriedAgainUntilTheCallerStops() throws Exception {
        int closedPort;
        try (var socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        var attempts = new AtomicInteger();
        try (var producer = producer("127.0.0.1:" + closedPort)) {
            assertThatThrownBy(() -> DurableWrites.write(
                            "a record for an absent Kafka",
                            () -> {
                                attempts.incrementAndGet();
                                return producer.send(new ProducerRecord<>("durable", new byte[10]));
                            },
                            () -> attempts.get() >= 3,
                            Duration.ofMillis(10)))
                    .isInstanceOf(DurableWrites.Stopped.class);
        }
        assertThat(attempts).hasValue(3);
    }

    @Test
    void writesThatCanNeverSucceedAreToldFromOnesWorthRetrying() {
        assertThat(DurableWrites.isPermanent(new RecordTooLargeException("big")))
                .isTrue();
        assertThat(DurableWrites.isPermanent(new KafkaException(new SerializationException("bad"))))
                .isTrue();
        assertThat(DurableWrites.isPermanent(new TimeoutException("Kafka away")))
                .isFalse();
        assertThat(DurableWrites.isPermanent(new KafkaException("not leader"))).isFalse();
    }
}
