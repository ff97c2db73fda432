package io.flowgate.api.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowgate.contracts.JobCancelRequested;
import io.flowgate.contracts.JobError;
import io.flowgate.contracts.JobState;
import io.flowgate.contracts.JobStatus;
import io.flowgate.contracts.JobSubmitted;
import io.flowgate.contracts.Topics;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

/** The status view's rules, driven without a broker. */
class JobStatusTopologyTests {

    private static final Duration RETENTION = Duration.ofDays(1);
    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    private TopologyTestDriver driver;
    private TestInputTopic<String, JobStatus> statuses;
    private TestInputTopic<String, JobSubmitted> jobs;
    private TestInputTopic<String, JobCancelRequested> cancels;
    private KeyValueStore<String, JobStatus> store;
    private final List<JobStatus> applied = new ArrayList<>();
    private final List<JobStatus> removed = new ArrayList<>();
    private final List<JobStatus> released = new ArrayList<>();
    private final Set<String> offboarded = new HashSet<>();

    @BeforeEach
    void start() throws Exception {
        StreamsBuilder builder = new StreamsBuilder();
        JobStatusTopology.Listener listener = new JobStatusTopology.Listener() {
            @Override
            public void applied(JobStatus status) {
                applied.add(status);
            }

            @Override
            public void removed(JobStatus last) {
                removed.add(last);
            }

            @Override
            public void released(JobStatus status) {
                released.add(status);
            }
        };
        JobStatusTopology.addTo(
                builder, RETENTION, Duration.ofMinutes(1), listener, offboarded::contains, java.time.Clock.systemUTC());
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "status-view-test");
        config.put(
                StreamsConfig.STATE_DIR_CONFIG,
                Files.createTempDirectory("status-view").toString());
        driver = new TopologyTestDriver(builder.build(), config, T0);
        statuses = driver.createInputTopic(
                Topics.JOB_STATUS.name(),
                Topics.JOB_STATUS.keySerde().serializer(),
                Topics.JOB_STATUS.valueSerde().serializer());
        jobs = driver.createInputTopic(
                Topics.JOBS.name(),
                Topics.JOBS.keySerde().serializer(),
                Topics.JOBS.valueSerde().serializer());
        cancels = driver.createInputTopic(
                Topics.JOB_CONTROL.name(),
                Topics.JOB_CONTROL.keySerde().serializer(),
                Topics.JOB_CONTROL.valueSerde().serializer());
        store = driver.getKeyValueStore(JobStatusTopology.STORE);
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
    }

    private static JobSubmitted job(String jobId, String tenant) {
        return new JobSubmitted(
                tenant,
                jobId,
                "delay",
                JsonNodeFactory.instance.objectNode(),
                "hash",
                T0,
                T0.plusSeconds(3600),
                Map.of(),
                null);
    }

    private static JobStatus accepted(String jobId, String tenant) {
        return JobStatus.accepted(job(jobId, tenant));
    }

    private static JobCancelRequested cancel(String jobId) {
        return new JobCancelRequested("t1", jobId, "delay", "hash", T0, T0.plusSeconds(5));
    }

    @Test
    void aJobsFirstFinalStatusAndOnlyThatOneWritesItsJobCompletedEvent() {
        var events = driver.createOutputTopic(
                Topics.EVENTS.name(),
                Topics.EVENTS.keySerde().deserializer(),
                Topics.EVENTS.valueSerde().deserializer());
        jobs.pipeInput("j1", job("j1", "t1"));
        statuses.pipeInput("j1", accepted("j1", "t1").next(JobState.RUNNING, T0.plusSeconds(1)));
        assertThat(events.isEmpty()).isTrue();

        JobStatus succeeded = accepted("j1", "t1")
                .succeeded(tools.jackson.databind.node.JsonNodeFactory.instance.numberNode(2), T0.plusSeconds(2));
        statuses.pipeInput("j1", succeeded);
        statuses.pipeInput("j1", succeeded); // a worker's retry
        cancels.pipeInput("j1", cancel("j1")); // a cancel racing the success

        var written = events.readKeyValuesToList();
        assertThat(written).hasSize(1);
        assertThat(written.getFirst().key).isEqualTo("t1/job-completed");
        assertThat(written.getFirst().value.eventId()).isEqualTo("j1");
        assertThat(written.getFirst().value.eventType()).isEqualTo("succeeded");
    }

    @Test
    void aSubmittedJobIsAcceptedAtOnce() {
        jobs.pipeInput("j1", job("j1", "t1"));

        assertThat(store.get("j1")).isEqualTo(accepted("j1", "t1"));
    }

    @Test
    void aRepeatedOrLateJobRecordChangesNothing() {
        jobs.pipeInput("j1", job("j1", "t1"));
        JobStatus running = accepted("j1", "t1").next(JobState.RUNNING, T0.plusSeconds(1));
        statuses.pipeInput("j1", running);
        jobs.pipeInput("j1", job("j1", "t1"));

        assertThat(store.get("j1")).isEqualTo(running);
    }

    @Test
    void aCancelRequestEndsARunningJobCancelled() {
        jobs.pipeInput("j1", job("j1", "t1"));
        statuses.pipeInput("j1", accepted("j1", "t1").next(JobState.RUNNING, T0.plusSeconds(1)));
        cancels.pipeInput("j1", cancel("j1"));

        assertThat(store.get("j1").state()).isEqualTo(JobState.CANCELLED);
        assertThat(store.get("j1").error().type())
                .isEqualTo(JobError.cancelled().type());
        assertThat(applied).extracting(JobStatus::state).endsWith(JobState.CANCELLED);
    }

    @Test
    void aCancelRequestAfterSuccessChangesNothing() {
        JobStatus succeeded = accepted("j1", "t1").succeeded(JsonNodeFactory.instance.objectNode(), T0.plusSeconds(2));
        jobs.pipeInput("j1", job("j1", "t1"));
        statuses.pipeInput("j1", succeeded);
        cancels.pipeInput("j1", cancel("j1"));

        assertThat(store.get("j1")).isEqualTo(succeeded);
    }

    @Test
    void theLatestStatusOfAJobIsServed() {
        JobStatus accepted = accepted("j1", "t1");
        statuses.pipeInput("j1", accepted);
        statuses.pipeInput("j1", accepted.next(JobState.RUNNING, T0.plusSeconds(1)));

        assertThat(store.get("j1").state()).isEqualTo(JobState.RUNNING);
    }

    @Test
    void theFirstFinalAnswerIsNeverReplaced() {
        JobStatus accepted = accepted("j1", "t1");
        JobStatus succeeded =
                accepted.succeeded(JsonNodeFactory.instance.objectNode().put("ok", true), T0.plusSeconds(2));
        statuses.pipeInput("j1", accepted);
        statuses.pipeInput("j1", succeeded);
        statuses.pipeInput(
                "j1", accepted.ended(JobState.CANCELLED, new JobError("t", "c", 409, "d", null), T0.plusSeconds(3)));
        statuses.pipeInput("j1", accepted.next(JobState.RUNNING, T0.plusSeconds(4)));

        assertThat(store.get("j1")).isEqualTo(succeeded);
        assertThat(applied).extracting(JobStatus::state).containsExactly(JobState.ACCEPTED, JobState.SUCCEEDED);
    }

    @Test
    void aRecordCannotMoveAJobToAnotherTenant() {
        statuses.pipeInput("j1", accepted("j1", "t1"));
        statuses.pipeInput("j1", accepted("j1", "t2").next(JobState.RUNNING, T0.plusSeconds(1)));

        assertThat(store.get("j1").tenantId()).isEqualTo("t1");
        assertThat(store.get("j1").state()).isEqualTo(JobState.ACCEPTED);
    }

    @Test
    void jobsArePurgedOnlyAfterTheirRetention() {
        statuses.pipeInput("old", accepted("old", "t1").succeeded(JsonNodeFactory.instance.nullNode(), T0));
        driver.advanceWallClockTime(RETENTION.minusMinutes(5));
        statuses.pipeInput(
                "new", accepted("new", "t1").succeeded(JsonNodeFactory.instance.nullNode(), T0.plus(RETENTION)));
        assertThat(store.get("old")).isNotNull();

        driver.advanceWallClockTime(Duration.ofMinutes(10));

        assertThat(store.get("old")).isNull();
        assertThat(store.get("new")).isNotNull();
    }

    @Test
    void aTombstoneRemovesTheJob() {
        statuses.pipeInput("j1", accepted("j1", "t1"));
        statuses.pipeInput("j1", (JobStatus) null);

        assertThat(store.get("j1")).isNull();
    }

    @Test
    void aClosingTaskReleasesEveryJobItHeld() {
        jobs.pipeInput("j1", job("j1", "t1"));
        jobs.pipeInput("j2", job("j2", "t2"));
        assertThat(released).isEmpty();

        // As when the partition moves to another replica: the jobs in flight it counted are given back.
        driver.close();
        driver = null;

        assertThat(released).extracting(JobStatus::jobId).containsExactlyInAnyOrder("j1", "j2");
        assertThat(removed).isEmpty();
    }

    @Test
    void removalsAreReported() {
        statuses.pipeInput("j1", accepted("j1", "t1"));
        statuses.pipeInput("j1", (JobStatus) null);
        statuses.pipeInput("j2", (JobStatus) null);

        assertThat(removed).extracting(JobStatus::jobId).containsExactly("j1");
    }

    @Test
    void recordsOfAnOffboardedTenantAreDroppedAndItsJobsRemoved() {
        statuses.pipeInput("j1", accepted("j1", "t1"));
        statuses.pipeInput("j2", accepted("j2", "t2"));
        offboarded.add("t1");

        statuses.pipeInput("j1", accepted("j1", "t1").next(JobState.CANCELLED, T0.plusSeconds(1)));
        jobs.pipeInput("j3", job("j3", "t1"));
        statuses.pipeInput("j2", accepted("j2", "t2").next(JobState.RUNNING, T0.plusSeconds(1)));

        assertThat(store.get("j1"))
                .as("a late report does not bring the job back")
                .isNull();
        assertThat(store.get("j3")).isNull();
        assertThat(store.get("j2").state()).isEqualTo(JobState.RUNNING);
        assertThat(removed).extracting(JobStatus::jobId).containsExactly("j1");
    }
}
