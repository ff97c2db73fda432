package io.flowgate.worker.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FairQueueTests {

    private static List<String> drain(FairQueue<String> queue) {
        List<String> started = new ArrayList<>();
        for (Optional<String> next = queue.next(); next.isPresent(); next = queue.next()) {
            started.add(next.get());
        }
        return started;
    }

    @Test
    void tenantsTakeTurnsWhateverOrderTheirJobsWereReadIn() {
        FairQueue<String> queue = new FairQueue<>(10, 10);
        for (int i = 1; i <= 4; i++) {
            queue.add("noisy", "n" + i);
        }
        queue.add("quiet", "q1");
        queue.add("other", "o1");

        assertThat(drain(queue)).containsExactly("n1", "q1", "o1", "n2", "n3", "n4");
    }

    @Test
    void noTenantRunsMoreThanItsShareAndTheRestOfTheSlotsStayForOthers() {
        FairQueue<String> queue = new FairQueue<>(6, 2);
        for (int i = 1; i <= 50; i++) {
            queue.add("noisy", "n" + i);
        }
        assertThat(drain(queue)).containsExactly("n1", "n2");
        assertThat(queue.running("noisy")).isEqualTo(2);

        queue.add("quiet", "q1");
        assertThat(drain(queue))
                .as("a free slot goes to the quiet tenant at once")
                .containsExactly("q1");

        queue.finished("noisy");
        assertThat(drain(queue)).containsExactly("n3");
        assertThat(queue.waiting()).isEqualTo(47);
    }

    @Test
    void theWorkerLimitHoldsAcrossTenants() {
        FairQueue<String> queue = new FairQueue<>(3, 2);
        queue.add("a", "a1");
        queue.add("a", "a2");
        queue.add("b", "b1");
        queue.add("b", "b2");
        assertThat(drain(queue)).containsExactly("a1", "b1", "a2");
        assertThat(queue.running()).isEqualTo(3);

        queue.finished("a");
        assertThat(drain(queue)).containsExactly("b2");
    }

    @Test
    void waitingJobsOfAPartitionGivenUpAreRemoved() {
        FairQueue<String> queue = new FairQueue<>(1, 1);
        queue.add("a", "p0-a1");
        queue.add("a", "p1-a2");
        queue.add("b", "p1-b1");

        assertThat(queue.removeWaiting(job -> job.startsWith("p1"))).containsExactlyInAnyOrder("p1-a2", "p1-b1");
        assertThat(queue.waiting()).isEqualTo(1);
        assertThat(drain(queue)).containsExactly("p0-a1");
    }

    @Test
    void finishingATenantThatHoldsNoSlotChangesNothing() {
        FairQueue<String> queue = new FairQueue<>(1, 1);
        queue.finished("nobody");
        queue.add("a", "a1");
        assertThat(drain(queue)).containsExactly("a1");
        assertThat(queue.running()).isEqualTo(1);
    }
}
