package io.flowgate.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.internals.AutoOffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The commit logic alone (the consumers using it are tested against a real broker). */
class ConsumedOffsetsTests {

    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);

    private final MockConsumer<String, String> consumer = new MockConsumer<>(AutoOffsetResetStrategy.EARLIEST.name());
    private final ConsumedOffsets offsets = new ConsumedOffsets();

    private Long committed(TopicPartition partition) {
        var offset = consumer.committed(java.util.Set.of(partition)).get(partition);
        return offset == null ? null : offset.offset();
    }

    @Test
    void commitsOnlyBelowTheOldestUnfinishedRecordOfEachPartition() {
        consumer.assign(List.of(P0, P1));
        offsets.started(P0, 10);
        offsets.started(P0, 11);
        offsets.started(P0, 12);
        offsets.started(P1, 3);
        offsets.finished(P0, 11);
        offsets.finished(P0, 12);
        offsets.finished(P1, 3);

        offsets.commitAll(consumer);
        assertThat(committed(P0)).isEqualTo(10);
        assertThat(committed(P1)).isEqualTo(4);

        offsets.finished(P0, 10);
        offsets.commitAll(consumer);
        assertThat(committed(P0)).isEqualTo(13);
    }

    @Test
    void aForgottenPartitionIsNeitherTrackedNorCommitted() {
        consumer.assign(List.of(P0));
        offsets.started(P0, 5);
        offsets.forget(List.of(P0));
        offsets.finished(P0, 5);
        offsets.commitAll(consumer);
        assertThat(committed(P0)).isNull();
    }
}
