package io.flowgate.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
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
        assertThat(readers.allUp()).as("failed and not read since").isFalse();
        assertThat(readers.states().get("test-reader").lastError()).contains("boom");
        assertThat(new ReadersHealth(readers).health().getStatus().getCode()).isEqualTo("DOWN");

        mayRead.release();
        await().atMost(Duration.ofSeconds(5)).until(readers::allUp);
        assertThat(new ReadersHealth(readers).health().getStatus().getCode()).isEqualTo("UP");
        assertThat(meters.counter("flowgate.kafka.reader.restarts", "reader", "test-reader")
                        .count())
                .isEqualTo(1);

        reader.stop(() -> {}, Duration.ofSeconds(5));
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
        await().atMost(Duration.ofSeconds(5)).until(() -> lives.get() == 3 && readers.allUp());
        reader.stop(() -> {}, Duration.ofSeconds(5));
    }

    @Test
    void aNewReaderIsUpBeforeItHasRead() {
        Reader reader = readers.start("test-fresh", r -> {
            while (!r.isStopping()) {
                Thread.onSpinWait();
            }
        });
        assertThat(readers.allUp()).isTrue();
        reader.stop(() -> {}, Duration.ofSeconds(5));
    }
}
