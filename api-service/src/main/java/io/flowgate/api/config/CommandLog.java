package io.flowgate.api.config;

import io.flowgate.api.problem.KafkaWriteFailures;
import io.flowgate.contracts.Topic;
import io.flowgate.kafka.TopicWriter;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Writes the API's commands to Kafka, one record each, completing only once Kafka has the record
 * (acks=all): durable before acknowledged. When Kafka cannot take the write the answer is a 503
 * problem with {@code Retry-After}; a record Kafka refuses for its size is a 413.
 */
@Component
public class CommandLog {

    /** Reads the request's thread-local context (the trace) from its Reactor context. */
    public static final ContextSnapshotFactory CONTEXT =
            ContextSnapshotFactory.builder().build();

    private final TopicWriter kafka;
    private final Duration retryAfter;

    CommandLog(TopicWriter commandWriter, ApiProperties properties) {
        this.kafka = commandWriter;
        this.retryAfter = properties.unavailableRetryAfter();
    }

    /** Writes {@code value} (or a tombstone when null) under {@code key}. */
    public <V> Mono<Void> write(Topic<String, V> topic, String key, @Nullable V value) {
        // send() blocks while it waits for metadata (max.block.ms) when Kafka is away; keep that off
        // the event loop. The answer itself arrives asynchronously.
        return Mono.deferContextual(request -> {
                    // The record carries the request's trace (its headers): send in that context.
                    try (ContextSnapshot.Scope scope =
                            CONTEXT.captureFrom(request).setThreadLocals()) {
                        return Mono.fromFuture(kafka.send(topic, key, value));
                    }
                })
                .subscribeOn(Schedulers.boundedElastic())
                // The future completes on the producer's single I/O thread: move the rest of the
                // request off it, or every answer queues behind that one thread.
                .publishOn(Schedulers.parallel())
                .onErrorMap(e -> KafkaWriteFailures.problem(e, retryAfter))
                .then();
    }
}
