package io.flowgate.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

class ReadersTests {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final Readers readers = new Readers(meters, Duration.ofMillis(10), Duration.ofMillis(50));

    @Test
    void aLoopThatFailsIsStartedAgainAndReportedDownUntilItReadsAgain() throws Exception {
        AtomicInteger lives = new AtomicInteger();
        Semaphore mayRead = new Semaphore(0);
        CountDownLatch secondLife = new CountDownLatch(1);
        Reader reader = readers.start("test-reader", r -> {
            if (lives.incrementAndGet() == 1) {
                r.up();
                throw new IllegalStateException("boom");
            }
            secondLife.countDown();
            mayRead.acquireUninterruptibly();
            r.up();
            while (!r.isStopping()) {
                Thread.onSpinWait();
            }
        });

        secondLife.await();
        assertThat(readers.states().get("test-reader").up())
                .as("failed and not read since")
                .isFalse();
        assertThat(readers.states().get("test-reader").lastError()).contains("boom");
        assertThat(new ReadersHealth(readers).health().getStatus().getCode()).isEqualTo("DOWN");

        mayRead.release();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> readers.states().get("test-reader").up());
        assertThat(new ReadersHealth(readers).health().getStatus().getCode()).isEqualTo("UP");
        assertThat(meters.counter("flowgate.kafka.reader.restarts", "reader", "test-reader")
                        .count())
                .isEqualTo(1);

        reader.stop(Duration.ofSeconds(5));
        assertThat(readers.states()).doesNotContainKey("test-reader");
    }

    @Test
    void anErrorThatIsNotAnExceptionAlsoRestartsTheLoop() {
        AtomicInteger lives = new AtomicInteger();
        Reader reader = readers.start("test-error", r -> {
            if (lives.incrementAndGet() < 3) {
                throw new StackOverflowError();
            }
            r.up();
            while (!r.isStopping()) {
                Thread.onSpinWait();
            }
        });
        await().atMost(Duration.ofSeconds(5))
                .until(() ->
                        lives.get() == 3 && readers.states().get("test-error").up());
        reader.stop(Duration.ofSeconds(5));
    }

    @Test
    void aNewReaderIsUpBeforeItHasRead() {
        Reader reader = readers.start("test-fresh", r -> {
            while (!r.isStopping()) {
                Thread.onSpinWait();
            }
        });
        assertThat(readers.states().get("test-fresh").up()).isTrue();
        reader.stop(Duration.ofSeconds(5));
    }

    @Test
    void stopWakesTheAttachedClientOutOfItsBlockingPoll() {
        CountDownLatch polling = new CountDownLatch(1);
        Reader reader = readers.start("test-client", r -> {
            // A real client with no broker behind it: poll blocks for its whole timeout unless woken.
            var consumer = new KafkaConsumer<>(
                    Map.<String, Object>of("bootstrap.servers", "127.0.0.1:1"),
                    new StringDeserializer(),
                    new StringDeserializer());
            try {
                r.attach(consumer);
                consumer.assign(List.of(new TopicPartition("nothing", 0)));
                polling.countDown();
                while (!r.isStopping()) {
                    consumer.poll(Duration.ofMinutes(5));
                }
            } catch (WakeupException e) {
                // stopping
            } finally {
                consumer.close(Duration.ZERO);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> polling.getCount() == 0);

        reader.stop(Duration.ofSeconds(20));
        assertThat(readers.states()).as("the loop ended and the reader is gone").doesNotContainKey("test-client");
    }

    @Test
    void theUpGaugeReportsTheReaderNowRunningUnderItsName() {
        Reader first = readers.start("test-gauge", r -> {
            r.up();
            throw new IllegalStateException("always");
        });
        await().atMost(Duration.ofSeconds(5))
                .until(() -> meters.get("flowgate.kafka.reader.up")
                                .tag("reader", "test-gauge")
                                .gauge()
                                .value()
                        == 0);
        first.stop(Duration.ofSeconds(5));

        Reader second = readers.start("test-gauge", r -> {
            while (!r.isStopping()) {
                Thread.onSpinWait();
            }
        });
        assertThat(meters.get("flowgate.kafka.reader.up")
                        .tag("reader", "test-gauge")
                        .gauge()
                        .value())
                .isEqualTo(1);
        second.stop(Duration.ofSeconds(5));
    }
}
