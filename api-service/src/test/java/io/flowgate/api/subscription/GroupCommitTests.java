package io.flowgate.api.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Batching logic: what arrives during a write goes together in the next one, and fails together. */
class GroupCommitTests {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<List<Integer>> written = new CopyOnWriteArrayList<>();

    @Test
    void aLoneItemIsWrittenAtOnceByItself() throws Exception {
        try (var commit = new GroupCommit<Integer>("test", 10, written::add, e -> false, meters)) {
            commit.submit(1).get(5, TimeUnit.SECONDS);
        }
        assertThat(written).containsExactly(List.of(1));
    }

    @Test
    void itemsArrivingDuringAWriteGoTogetherInTheNextUpToTheLimit() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (var commit = new GroupCommit<Integer>(
                "test",
                10,
                batch -> {
                    if (batch.contains(0)) {
                        writing.countDown();
                        await(release);
                    }
                    written.add(batch);
                },
                e -> false,
                meters)) {
            CompletableFuture<Void> first = commit.submit(0);
            assertThat(writing.await(5, TimeUnit.SECONDS)).isTrue();
            List<CompletableFuture<Void>> rest =
                    IntStream.rangeClosed(1, 25).mapToObj(commit::submit).toList();
            assertThat(rest.getFirst()).isNotDone();
            release.countDown();

            first.get(5, TimeUnit.SECONDS);
            CompletableFuture.allOf(rest.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        }
        assertThat(written.getFirst()).containsExactly(0);
        assertThat(written.subList(1, written.size()))
                .hasSize(3)
                .allSatisfy(batch -> assertThat(batch).hasSizeLessThanOrEqualTo(10));
        List<Integer> order = new ArrayList<>();
        written.forEach(order::addAll);
        assertThat(order)
                .containsExactlyElementsOf(IntStream.rangeClosed(0, 25).boxed().toList());
        assertThat(meters.get("flowgate.api.group.commit.size").summary().max()).isEqualTo(10);
    }

    @Test
    void aFailedWriteFailsEveryItemOfItsBatchAndNoOther() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (var commit = new GroupCommit<Integer>(
                "test",
                10,
                batch -> {
                    if (batch.contains(0)) {
                        writing.countDown();
                        await(release);
                        return;
                    }
                    if (batch.contains(1)) {
                        throw new IllegalStateException("Kafka is away");
                    }
                    written.add(batch);
                },
                e -> e instanceof IllegalArgumentException,
                meters)) {
            commit.submit(0);
            assertThat(writing.await(5, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Void> one = commit.submit(1);
            CompletableFuture<Void> two = commit.submit(2);
            release.countDown();

            assertThat(one).failsWithin(Duration.ofSeconds(5));
            assertThat(two).failsWithin(Duration.ofSeconds(5));
            commit.submit(3).get(5, TimeUnit.SECONDS);
        }
        assertThat(written).containsExactly(List.of(3));
    }

    @Test
    void anItemAtFaultFailsAloneAndTheRestOfItsBatchIsWritten() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (var commit = new GroupCommit<Integer>(
                "test",
                10,
                batch -> {
                    if (batch.contains(0)) {
                        writing.countDown();
                        await(release);
                        return;
                    }
                    if (batch.contains(13)) {
                        throw new IllegalArgumentException("record too large");
                    }
                    written.add(batch);
                },
                e -> e instanceof IllegalArgumentException,
                meters)) {
            commit.submit(0);
            assertThat(writing.await(5, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Void> twelve = commit.submit(12);
            CompletableFuture<Void> thirteen = commit.submit(13);
            CompletableFuture<Void> fourteen = commit.submit(14);
            release.countDown();

            assertThat(thirteen).failsWithin(Duration.ofSeconds(5));
            twelve.get(5, TimeUnit.SECONDS);
            fourteen.get(5, TimeUnit.SECONDS);
        }
        // Tried together first (and refused whole), then one by one.
        assertThat(written).containsExactly(List.of(12), List.of(14));
    }

    @Test
    void closingFailsWhatIsStillQueued() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CompletableFuture<Void> queued;
        try (var commit = new GroupCommit<Integer>(
                "test",
                10,
                batch -> {
                    writing.countDown();
                    await(new CountDownLatch(1)); // never released: only the close's interrupt ends it
                },
                e -> false,
                meters)) {
            commit.submit(0);
            assertThat(writing.await(5, TimeUnit.SECONDS)).isTrue();
            queued = commit.submit(1);
        }
        assertThat(queued).failsWithin(Duration.ofSeconds(5));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
