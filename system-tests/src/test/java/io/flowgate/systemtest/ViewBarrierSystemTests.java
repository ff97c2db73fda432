package io.flowgate.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowgate.api.replica.ViewBarrier;
import io.flowgate.devstack.LocalStack;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The read barrier behind "not found" answers to unsubscribes and cancels ({@link ViewBarrier}), on
 * the stack's broker: a view that has caught up is reported so, one held behind is reported behind
 * (its callers answer 503), Kafka out of reach lets the view answer, and a flood of barriers shares
 * its broker requests instead of multiplying them. A consumer group with no members stands for a
 * view: its committed offsets are set by hand, so "behind" and "caught up" are exact.
 */
class ViewBarrierSystemTests {

    private static final Duration TIMEOUT = Duration.ofMillis(1500);
    private static LocalStack stack;
    private static Admin admin;
    private static String topic;

    private String group;
    private MeterRegistry meters;

    @BeforeAll
    static void topicWithRecords() throws Exception {
        stack = SharedStack.get();
        admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()));
        topic = "view-barrier-" + UUID.randomUUID();
        admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
        try (var producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", stack.bootstrapServers()),
                new StringSerializer(),
                new StringSerializer())) {
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k", "v" + i)).get();
                producer.send(new ProducerRecord<>(topic, 1, "k", "v" + i)).get();
            }
        }
    }

    @BeforeEach
    void freshView() {
        group = "view-" + UUID.randomUUID();
        meters = new SimpleMeterRegistry();
    }

    private ViewBarrier barrier() {
        return barrier(TIMEOUT);
    }

    private ViewBarrier barrier(Duration timeout) {
        return new ViewBarrier(
                Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers())), group, timeout, meters);
    }

    private void viewAt(int partition, long offset) throws Exception {
        admin.alterConsumerGroupOffsets(
                        group, Map.of(new TopicPartition(topic, partition), new OffsetAndMetadata(offset)))
                .all()
                .get();
    }

    private double count(String name, String tag, String value) {
        var counter = meters.find(name).tag(tag, value).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aViewAtThePartitionsEndHasCaughtUpAndOneBehindHasNot() throws Exception {
        try (ViewBarrier barrier = barrier()) {
            viewAt(0, 2); // one record short of the end (3)
            assertThat(barrier.await(topic, 0).block()).isFalse();
            assertThat(count("flowgate.api.view.barriers", "outcome", "timed_out"))
                    .isEqualTo(1);

            viewAt(0, 3);
            assertThat(barrier.await(topic, 0).block()).isTrue();
            assertThat(count("flowgate.api.view.barriers", "outcome", "caught_up"))
                    .isEqualTo(1);
        }
    }

    @Test
    void aViewThatCatchesUpWhileTheBarrierWaitsIsSeenToHave() throws Exception {
        try (ViewBarrier barrier = barrier()) {
            Mono<Boolean> waiting = barrier.await(topic, 1).cache();
            waiting.subscribe();
            // The barrier is asking while the view is behind; then the view commits the end.
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> count("flowgate.api.view.barrier.requests", "kind", "committed_offsets") >= 1);
            viewAt(1, 3);
            assertThat(waiting.block()).isTrue();
        }
    }

    @Test
    void aSettledReadThatStaysEmptyBehindAViewThatLagsIsUnavailable() throws Exception {
        try (ViewBarrier barrier = barrier()) {
            AtomicInteger reads = new AtomicInteger();
            Mono<Optional<String>> settled = barrier.settled(
                    topic,
                    0,
                    () -> Mono.fromCallable(() -> {
                        reads.incrementAndGet();
                        return Optional.<String>empty();
                    }),
                    cause -> new IllegalArgumentException("unavailable", cause));
            assertThatThrownBy(settled::block)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasRootCauseMessage("the view did not catch up with " + topic + "-0 in time");
            assertThat(reads).hasValue(1);

            viewAt(0, 3);
            assertThat(settled.block()).isEmpty();
            assertThat(reads).as("read again after the barrier").hasValue(3);

            double asked = count("flowgate.api.view.barrier.requests", "kind", "end_offsets");
            assertThat(barrier.settled(topic, 0, () -> Mono.just(Optional.of("found")), IllegalStateException::new)
                            .block())
                    .contains("found");
            assertThat(count("flowgate.api.view.barrier.requests", "kind", "end_offsets"))
                    .as("found at once: no barrier")
                    .isEqualTo(asked);
        }
    }

    @Test
    void whenKafkaCannotBeAskedTheViewAnswersAsItIs() {
        Admin closed = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()));
        closed.close();
        try (ViewBarrier barrier = new ViewBarrier(closed, group, TIMEOUT, meters)) {
            assertThat(barrier.await(topic, 0).block()).isTrue();
            assertThat(count("flowgate.api.view.barriers", "outcome", "failed")).isEqualTo(1);
            // A failed request does not leave the barrier stuck: the next one is asked, and fails too.
            assertThat(barrier.await(topic, 1).block()).isTrue();
            assertThat(count("flowgate.api.view.barriers", "outcome", "failed")).isEqualTo(2);
        }
    }

    @Test
    void aFloodOfBarriersSharesItsBrokerRequestsAndDoesNotHoldBackAnother() throws Exception {
        int flood = 500;
        // Long enough that the flood still waits when the other barrier has answered, on any machine.
        Duration timeout = Duration.ofSeconds(5);
        try (ViewBarrier barrier = barrier(timeout)) {
            viewAt(1, 3); // partition 1's view is at the end; partition 0's stays behind
            // A tenant's flood: barriers on a partition whose view stays behind, all waiting at once.
            var behind = Flux.range(0, flood)
                    .flatMap(i -> barrier.await(topic, 0), flood)
                    .collectList()
                    .toFuture();
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> count("flowgate.api.view.barrier.requests", "kind", "committed_offsets") >= 1);
            // Another tenant's barrier on a partition that has caught up answers while the flood waits.
            assertThat(barrier.await(topic, 1).block()).isTrue();
            assertThat(behind).isNotDone();

            assertThat(behind.get()).hasSize(flood).containsOnly(false);
            double ends = count("flowgate.api.view.barrier.requests", "kind", "end_offsets");
            double committed = count("flowgate.api.view.barrier.requests", "kind", "committed_offsets");
            System.out.printf(
                    "%d barriers at once and 1 more: %.0f end-offsets and %.0f committed-offsets requests in %d ms%n",
                    flood, ends, committed, timeout.toMillis());
            // Unshared, that would be 501 end-offsets requests and one committed-offsets request per
            // barrier every 20 ms. Shared: a few batches, and one request per poll for all of them.
            assertThat(ends).isLessThan(flood / 10.0);
            assertThat(committed).isLessThan(timeout.toMillis() / 20.0 * 2);
        }
    }
}
