package io.flowgate.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The shared out-of-order consumer loop against a real broker. */
class WorkLoopTests {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final Readers readers = new Readers(meters, Duration.ofMillis(10), Duration.ofMillis(50));
    private final List<WorkLoop<String>> loops = new CopyOnWriteArrayList<>();
    private String topic;
    private String group;

    /** Values equal to "unreadable" fail to deserialize. */
    private static final Supplier<Deserializer<String>> VALUES = () -> (topic, data) -> {
        String value = new String(data, StandardCharsets.UTF_8);
        if (value.equals("unreadable")) {
            throw new SerializationException("not a value");
        }
        return value;
    };

    /** Records what it was offered; {@code decide} answers take. */
    private static final class Recording implements WorkLoop.Work<String> {
        final List<String> offered = new CopyOnWriteArrayList<>();
        final Map<String, WorkLoop.Ticket> tickets = new ConcurrentHashMap<>();
        final List<Collection<TopicPartition>> revoked = new CopyOnWriteArrayList<>();
        final AtomicInteger polls = new AtomicInteger();
        Duration pollTimeout = Duration.ofMillis(200);
        private final java.util.function.Predicate<String> decide;

        Recording(java.util.function.Predicate<String> decide) {
            this.decide = decide;
        }

        @Override
        public boolean take(ConsumerRecord<String, String> record, WorkLoop.Ticket ticket) {
            offered.add(record.value());
            if (!decide.test(record.value())) {
                return false;
            }
            tickets.put(record.value(), ticket);
            return true;
        }

        @Override
        public void beforePoll(Consumer<String, String> consumer) {
            polls.incrementAndGet();
        }

        @Override
        public Duration pollTimeout() {
            return pollTimeout;
        }

        @Override
        public void revoking(Collection<TopicPartition> partitions) {
            revoked.add(List.copyOf(partitions));
        }
    }

    private void setUp(TestInfo test, String... values) {
        topic = "work-" + test.getTestMethod().orElseThrow().getName();
        group = topic + "-group";
        TestBroker.createTopic(topic, 1);
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestBroker.bootstrap()),
                new StringSerializer(),
                new StringSerializer())) {
            for (String value : values) {
                producer.send(new ProducerRecord<>(topic, "key", value));
            }
            producer.flush();
        }
    }

    private WorkLoop<String> start(Recording work) {
        var loop = new WorkLoop<>(
                "test-" + topic + "-" + loops.size(),
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestBroker.bootstrap()),
                group,
                List.of(topic),
                VALUES,
                () -> work,
                readers,
                meters);
        loops.add(loop);
        loop.start();
        return loop;
    }

    @AfterEach
    void stopLoops() {
        loops.forEach(loop -> loop.stop(Duration.ofSeconds(10)));
    }

    private Long committed() throws ExecutionException, InterruptedException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestBroker.bootstrap()))) {
            OffsetAndMetadata offset = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get()
                    .get(new TopicPartition(topic, 0));
            return offset == null ? null : offset.offset();
        }
    }

    private double skipped(String reason) {
        var counter = meters.find(SkippedRecords.METRIC)
                .tags("topic", topic, "reason", reason)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void onlyTheOffsetBelowTheOldestUnfinishedRecordIsCommitted(TestInfo test) throws Exception {
        setUp(test, "a", "b", "c", "d");
        var work = new Recording(value -> true);
        start(work);
        await().atMost(Duration.ofSeconds(20)).until(() -> work.tickets.size() == 4);

        List.of("b", "c", "d").forEach(value -> work.tickets.get(value).done());
        int polls = work.polls.get();
        await().atMost(Duration.ofSeconds(10)).until(() -> work.polls.get() >= polls + 2); // applied and committed
        assertThat(committed()).as("a (offset 0) is unfinished").isZero();

        work.tickets.get("a").done();
        await().atMost(Duration.ofSeconds(10)).until(() -> Long.valueOf(4).equals(committed()));
    }

    @Test
    void aWokenLoopAppliesWorkDoneElsewhereAtOnceRatherThanWhenItsPollTimesOut(TestInfo test) throws Exception {
        setUp(test, "a", "b");
        var work = new Recording(value -> true);
        work.pollTimeout = Duration.ofHours(1); // nothing else would make this loop go round
        WorkLoop<String> loop = start(work);
        await().atMost(Duration.ofSeconds(20)).until(() -> work.tickets.size() == 2);
        int polls = work.polls.get();

        work.tickets.values().forEach(WorkLoop.Ticket::done);
        loop.wakeUp();
        await().atMost(Duration.ofSeconds(20)).until(() -> Long.valueOf(2).equals(committed()));
        assertThat(work.polls.get()).isGreaterThan(polls);
        assertThat(work.revoked).as("the same life of the loop went round").isEmpty();
    }

    @Test
    void anUnreadableRecordIsSkippedAndCountedAndTheNextOnesAreRead(TestInfo test) throws Exception {
        setUp(test, "x", "unreadable", "y");
        var work = new Recording(value -> true);
        start(work);
        await().atMost(Duration.ofSeconds(20)).until(() -> work.tickets.size() == 2);
        work.tickets.values().forEach(WorkLoop.Ticket::done);

        await().atMost(Duration.ofSeconds(10)).until(() -> Long.valueOf(3).equals(committed()));
        assertThat(work.offered).containsExactly("x", "y");
        assertThat(skipped("unreadable")).isEqualTo(1);
    }

    @Test
    void aRecordWhoseWorkThrowsIsSkippedAsUnprocessable(TestInfo test) throws Exception {
        setUp(test, "x", "boom", "y");
        var work = new Recording(value -> {
            if (value.equals("boom")) {
                throw new IllegalArgumentException("cannot handle boom");
            }
            return true;
        });
        start(work);
        await().atMost(Duration.ofSeconds(20)).until(() -> work.tickets.size() == 2);
        work.tickets.values().forEach(WorkLoop.Ticket::done);

        await().atMost(Duration.ofSeconds(10)).until(() -> Long.valueOf(3).equals(committed()));
        assertThat(skipped("unprocessable")).isEqualTo(1);
    }

    @Test
    void aRecordLeftForLaterIsOfferedAgainBeforeTheRecordsBehindIt(TestInfo test) throws Exception {
        setUp(test, "a", "later", "c");
        AtomicInteger declined = new AtomicInteger();
        var work = new Recording(value -> !value.equals("later") || declined.getAndIncrement() > 0);
        start(work);
        await().atMost(Duration.ofSeconds(20)).until(() -> work.tickets.size() == 3);
        work.tickets.values().forEach(WorkLoop.Ticket::done);

        assertThat(work.offered).containsExactly("a", "later", "later", "c");
        await().atMost(Duration.ofSeconds(10)).until(() -> Long.valueOf(3).equals(committed()));
    }

    @Test
    void stoppingCommitsWhatIsDoneAndTheNextReaderGetsTheRest(TestInfo test) throws Exception {
        setUp(test, "a", "b", "c");
        var first = new Recording(value -> true);
        WorkLoop<String> loop = start(first);
        await().atMost(Duration.ofSeconds(20)).until(() -> first.tickets.size() == 3);
        first.tickets.get("a").done();
        first.tickets.get("c").done();

        loop.stop(Duration.ofSeconds(10));
        assertThat(first.revoked).as("asked to stop its work").isNotEmpty();
        assertThat(committed()).as("b is unfinished").isEqualTo(1);

        var second = new Recording(value -> true);
        start(second);
        await().atMost(Duration.ofSeconds(20)).until(() -> second.offered.size() == 2);
        assertThat(second.offered).as("at least once: b, and c after it").containsExactly("b", "c");
    }

    @Test
    void aTicketOfAnEarlierLifeOfTheLoopFinishesNothing(TestInfo test) throws Exception {
        setUp(test, "a", "b");
        var first = new Recording(value -> true);
        WorkLoop<String> loop = start(first);
        await().atMost(Duration.ofSeconds(20)).until(() -> first.tickets.size() == 2);
        loop.stop(Duration.ofSeconds(10));
        assertThat(committed()).as("nothing was done").isZero();

        var second = new Recording(value -> true);
        start(second);
        await().atMost(Duration.ofSeconds(20)).until(() -> second.tickets.size() == 2);
        first.tickets.values().forEach(WorkLoop.Ticket::done); // the old life's tickets
        int polls = second.polls.get();
        await().atMost(Duration.ofSeconds(10)).until(() -> second.polls.get() >= polls + 2);
        assertThat(committed())
                .as("the new reader's records are still unfinished")
                .isZero();

        second.tickets.values().forEach(WorkLoop.Ticket::done);
        await().atMost(Duration.ofSeconds(10)).until(() -> Long.valueOf(2).equals(committed()));
    }
}
