package io.flowgate.kafka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one reader does with a record it cannot use: it skips it, counts it in {@code
 * flowgate.kafka.records.skipped} (tags {@code reader}, {@code topic}, {@code reason}) and logs its
 * topic, partition and offset for the operator, then goes on with the next record. One unreadable
 * record (a bug in a writer, a newer schema, a hand-written test record) must never stop a reader:
 * every tenant's records behind it would wait for good.
 *
 * <p>Reasons: {@code unreadable} (the value does not deserialize) and {@code unprocessable} (it
 * deserialized, but handling it threw).
 */
public final class SkippedRecords {

    private static final Logger log = LoggerFactory.getLogger(SkippedRecords.class);

    /** The metric's name. */
    public static final String METRIC = "flowgate.kafka.records.skipped";

    private final MeterRegistry meters;
    private final String reader;

    SkippedRecords(MeterRegistry meters, String reader) {
        this.meters = meters;
        this.reader = reader;
        // Registered at zero (topic left empty) so that dashboards and alerts read a zero rather than nothing.
        for (String reason : new String[] {"unreadable", "unprocessable"}) {
            counter("", reason);
        }
    }

    /**
     * Polls {@code consumer}; a record that cannot be deserialized is skipped (the consumer is moved
     * past it) and an empty batch is answered, so the caller simply polls again. Records before the
     * unreadable one in the same fetch were already handed out by the previous poll.
     */
    public <K, V> ConsumerRecords<K, V> poll(Consumer<K, V> consumer, Duration timeout) {
        try {
            return consumer.poll(timeout);
        } catch (RecordDeserializationException e) {
            skipped(e.topicPartition().topic(), e.topicPartition().partition(), e.offset(), "unreadable", e);
            consumer.seek(e.topicPartition(), e.offset() + 1);
            return ConsumerRecords.empty();
        }
    }

    /**
     * Runs {@code handler} on {@code record}; when it throws, the record is counted as unprocessable
     * and the caller goes on.
     *
     * @return whether the handler completed
     */
    public <K, V> boolean process(
            ConsumerRecord<K, V> record, java.util.function.Consumer<ConsumerRecord<K, V>> handler) {
        try {
            handler.accept(record);
            return true;
        } catch (RuntimeException e) {
            skipped(record.topic(), record.partition(), record.offset(), "unprocessable", e);
            return false;
        }
    }

    /** Counts and logs one skipped record. */
    public void skipped(String topic, int partition, long offset, String reason, Throwable cause) {
        counter(topic, reason).increment();
        log.error(
                "{} skipped the record at {}-{} offset {} ({}): {}",
                reader,
                topic,
                partition,
                offset,
                reason,
                cause.toString(),
                cause);
    }

    private Counter counter(String topic, String reason) {
        return Counter.builder(METRIC)
                .description("Records a reader skipped because it could not read or process them")
                .tag("reader", reader)
                .tag("topic", topic)
                .tag("reason", reason)
                .register(meters);
    }
}
