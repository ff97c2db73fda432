package io.flowgate.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PartitionOffsetsTests {

    private final PartitionOffsets offsets = new PartitionOffsets();

    @Test
    void nothingIsCommittedBeforeAnyJob() {
        assertThat(offsets.toCommit()).isEmpty();
    }

    @Test
    void aFinishedJobBehindAnUnfinishedOneIsNotCommittedPastIt() {
        offsets.started(10);
        offsets.started(11);
        offsets.started(12);
        offsets.finished(11);
        offsets.finished(12);

        assertThat(offsets.toCommit()).hasValue(10);
    }

    @Test
    void whenTheOldestFinishesTheCommitJumpsPastEverythingFinished() {
        offsets.started(10);
        offsets.started(11);
        offsets.finished(11);
        offsets.committed(10);
        offsets.finished(10);

        assertThat(offsets.toCommit()).hasValue(12);
    }

    @Test
    void theSameOffsetIsNotCommittedTwice() {
        offsets.started(5);
        offsets.finished(5);
        offsets.committed(offsets.toCommit().orElseThrow());

        assertThat(offsets.toCommit()).isEmpty();
        assertThat(offsets.running()).isZero();
    }
}
