package io.flowgate.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class JsonSerdeTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JobSubmitted job = new JobSubmitted(
            "tenant",
            "job",
            "delay",
            JSON.readTree("{\"seconds\":1}"),
            "hash",
            Instant.parse("2026-11-01T00:00:00Z"),
            Instant.parse("2026-11-02T00:00:00Z"),
            Map.of("x-ms-workflow-run-id", "run"),
            null);

    @Test
    void valuesCarryTheirTypeAndSchemaVersionAndRoundTrip() {
        byte[] bytes = Topics.JOBS.valueSerde().serializer().serialize("t", job);

        String text = new String(bytes, StandardCharsets.UTF_8);
        assertThat(text)
                .contains("\"type\":\"JobSubmitted\"")
                .contains("\"v\":1")
                .contains("\"tenantId\":\"tenant\"");
        assertThat(Topics.JOBS.valueSerde().deserializer().deserialize("t", bytes))
                .isEqualTo(job);
    }

    @Test
    void aValueOfAnotherTypeIsRefused() {
        byte[] bytes = Topics.JOBS.valueSerde().serializer().serialize("t", job);

        assertThatThrownBy(() -> Topics.JOB_STATUS.valueSerde().deserializer().deserialize("t", bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("JobStatus");
    }

    @Test
    void garbageIsASerializationError() {
        assertThatThrownBy(() -> Topics.JOBS
                        .valueSerde()
                        .deserializer()
                        .deserialize("t", "{oops".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SerializationException.class);
    }

    @Test
    void absentOptionalFieldsReadBackAsNull() {
        JobStatus accepted = JobStatus.accepted(job);
        byte[] bytes = Topics.JOB_STATUS.valueSerde().serializer().serialize("t", accepted);

        assertThat(new String(bytes, StandardCharsets.UTF_8)).doesNotContain("\"result\"");
        assertThat(Topics.JOB_STATUS.valueSerde().deserializer().deserialize("t", bytes))
                .isEqualTo(accepted);
    }

    @Test
    void tombstonesStayNull() {
        assertThat(Topics.JOB_STATUS.valueSerde().serializer().serialize("t", null))
                .isNull();
        assertThat(Topics.JOB_STATUS.valueSerde().deserializer().deserialize("t", null))
                .isNull();
    }

    @Test
    void terminalStatesAreTheFinalFour() {
        assertThat(JobState.values())
                .filteredOn(JobState::isTerminal)
                .containsExactly(JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED, JobState.EXPIRED);
    }

    record Clashing(String type) {}

    @Test
    void aRecordWhoseFieldTheEnvelopeWouldOverwriteIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> JsonSerde.of(Clashing.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Clashing.type");
    }
}
