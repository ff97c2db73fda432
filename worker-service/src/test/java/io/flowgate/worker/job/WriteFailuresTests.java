package io.flowgate.worker.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class WriteFailuresTests {

    @Test
    void writesThatCanNeverSucceedAreToldFromOnesWorthRetrying() {
        assertThat(WriteFailures.isPermanent(new RecordTooLargeException("big")))
                .isTrue();
        assertThat(WriteFailures.isPermanent(new KafkaException(new SerializationException("bad"))))
                .isTrue();
        assertThat(WriteFailures.isPermanent(new TimeoutException("Kafka away")))
                .isFalse();
        assertThat(WriteFailures.isPermanent(new KafkaException("not leader"))).isFalse();
    }
}
