package io.flowgate.api.config;

import io.flowgate.kafka.SkippedRecords;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.jspecify.annotations.Nullable;

/**
 * Kafka Streams' answer to a record the views cannot use: skip it, count it and log where it is
 * ({@link SkippedRecords}), and go on. Kafka's default fails the stream thread, and a replaced thread
 * meets the same record again: one unreadable record would stop every view for every tenant.
 */
final class SkippingStreamsHandlers {

    /** The configuration key that carries the {@link SkippedRecords} to the handlers. */
    static final String SKIPPED = "flowgate.streams.skipped-records";

    private SkippingStreamsHandlers() {}

    private static SkippedRecords from(Map<String, ?> configs) {
        return (SkippedRecords) Objects.requireNonNull(configs.get(SKIPPED), SKIPPED + " is not configured");
    }

    /** Skips a record whose key or value does not deserialize. */
    public static final class Deserialization implements DeserializationExceptionHandler {
        private @Nullable SkippedRecords skipped;

        @Override
        public void configure(Map<String, ?> configs) {
            skipped = from(configs);
        }

        @Override
        public Response handleError(
                ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
            Objects.requireNonNull(skipped)
                    .skipped(record.topic(), record.partition(), record.offset(), "unreadable", exception);
            return Response.resume();
        }
    }

    /** Skips a record whose processing threw. */
    public static final class Processing implements ProcessingExceptionHandler {
        private @Nullable SkippedRecords skipped;

        @Override
        public void configure(Map<String, ?> configs) {
            skipped = from(configs);
        }

        @Override
        public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
            Objects.requireNonNull(skipped)
                    .skipped(context.topic(), context.partition(), context.offset(), "unprocessable", exception);
            return Response.resume();
        }
    }
}
