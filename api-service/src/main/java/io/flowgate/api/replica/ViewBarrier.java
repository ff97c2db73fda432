package io.flowgate.api.replica;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A read barrier for this replica's Kafka Streams views. A view lags its topics by a commit interval
 * or more, so "not in my view" a moment after another replica wrote a record (a subscribe answered
 * 201 there) does not yet mean "does not exist"; after {@link #await} it does.
 *
 * <p>The views run exactly-once: Kafka Streams commits the position it has consumed (past the
 * transaction markers) together with the views' changes. So once the group's committed offset of a
 * partition reaches that partition's end offset as it was when the barrier was asked for, every
 * record written before is in the view. The end offset is the high watermark, which also counts
 * transactions still open: a write committed just before, behind one of them, is not missed. Both
 * offsets come from the broker (an {@link Admin} client); the committed offset is asked again every
 * {@code POLL} until it is there or half the replica timeout has passed.
 *
 * <p>Only reads that found nothing and must be sure use it (an unsubscribe of a subscription, or a
 * cancel of a job, created a moment ago through another replica), so its cost, a few broker requests
 * and up to a commit interval, is off the common path.
 */
@Component
public class ViewBarrier implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ViewBarrier.class);
    private static final Duration POLL = Duration.ofMillis(20);

    private final Admin admin;
    private final String group;
    private final Duration timeout;
    private final Counter caughtUp;
    private final Counter timedOut;
    private final Counter failed;

    ViewBarrier(
            KafkaProperties kafka, StreamsBuilderFactoryBean streams, ReplicaProperties replica, MeterRegistry meters) {
        Map<String, Object> config = kafka.buildAdminProperties();
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "flowgate-api-view-barrier");
        this.admin = Admin.create(config);
        Properties streamsConfig = Objects.requireNonNull(streams.getStreamsConfiguration());
        this.group = streamsConfig.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
        // Half the forwarded-read timeout: a barrier on the owner ends before its caller gives up.
        this.timeout = replica.timeout().dividedBy(2);
        this.caughtUp = meters.counter("flowgate.api.view.barriers", "outcome", "caught_up");
        this.timedOut = meters.counter("flowgate.api.view.barriers", "outcome", "timed_out");
        this.failed = meters.counter("flowgate.api.view.barriers", "outcome", "failed");
    }

    /**
     * Completes with true once this replica's view has every record written to {@code partition} of
     * {@code topic} before the call, or with false when it has not within half the replica timeout
     * (the view behind): the caller then answers 503 with {@code Retry-After} rather than a "not
     * found" that may be wrong (an unsubscribe that removed nothing while the subscription lives on).
     * When Kafka cannot be asked at all it completes with true, and the view answers as it is.
     */
    public Mono<Boolean> await(String topic, int partition) {
        TopicPartition tp = new TopicPartition(topic, partition);
        return mono(admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp))
                .map(ListOffsetsResult.ListOffsetsResultInfo::offset)
                .flatMap(end -> Flux.interval(Duration.ZERO, POLL)
                        .concatMap(tick -> committed(tp))
                        .filter(committed -> committed >= end)
                        .next()
                        .map(committed -> true))
                .timeout(timeout, Mono.just(false))
                .doOnNext(reached -> (reached ? caughtUp : timedOut).increment())
                .onErrorResume(e -> {
                    // Kafka could not tell (an Admin request failed): the view answers as it is, as it did
                    // before barriers existed, rather than refusing every such read while Kafka is away.
                    log.warn("View barrier on {} could not ask Kafka; answering from the view as it is", tp, e);
                    failed.increment();
                    return Mono.just(true);
                });
    }

    /** The cause of a 503 when {@link #await} did not catch up. */
    public static IllegalStateException notCaughtUp(String topic, int partition) {
        return new IllegalStateException("the view did not catch up with " + topic + "-" + partition + " in time");
    }

    private Mono<Long> committed(TopicPartition tp) {
        var spec = new ListConsumerGroupOffsetsSpec().topicPartitions(java.util.List.of(tp));
        return mono(admin.listConsumerGroupOffsets(Map.of(group, spec)).partitionsToOffsetAndMetadata(group))
                .map(offsets -> {
                    OffsetAndMetadata committed = offsets.get(tp);
                    return committed == null ? 0L : committed.offset();
                });
    }

    private static <T> Mono<T> mono(KafkaFuture<T> future) {
        return Mono.fromFuture(future.toCompletionStage().toCompletableFuture());
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
