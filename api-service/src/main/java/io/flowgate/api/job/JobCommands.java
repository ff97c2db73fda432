package io.flowgate.api.job;

import io.flowgate.api.config.ApiProperties;
import io.flowgate.api.problem.KafkaUnavailable;
import io.flowgate.api.problem.ProblemTypes;
import io.flowgate.contracts.JobCancelRequested;
import io.flowgate.contracts.JobError;
import io.flowgate.contracts.JobState;
import io.flowgate.contracts.JobStatus;
import io.flowgate.contracts.JobSubmitted;
import io.flowgate.contracts.Topics;
import java.time.Clock;
import java.time.Duration;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Writes job commands to Kafka, each in one transaction with the status it implies, and completes
 * only once the transaction is committed (durable before acknowledged).
 */
@Component
class JobCommands {

    private final KafkaTemplate<String, Object> kafka;
    private final Duration retryAfter;
    private final Clock clock;

    JobCommands(KafkaTemplate<String, Object> commandTemplate, ApiProperties properties, Clock clock) {
        this.kafka = commandTemplate;
        this.retryAfter = properties.unavailableRetryAfter();
        this.clock = clock;
    }

    /** The job and its ACCEPTED status, atomically. */
    Mono<JobStatus> submit(JobSubmitted job) {
        JobStatus accepted = JobStatus.accepted(job);
        return inTransaction(() -> kafka.executeInTransaction(ops -> {
            ops.send(Topics.JOBS.name(), job.jobId(), job);
            ops.send(Topics.JOB_STATUS.name(), job.jobId(), accepted);
            return accepted;
        }));
    }

    /**
     * The cancel request for workers and the job's CANCELLED status, atomically. The view keeps the
     * first terminal status, so a job that finished first keeps its own answer.
     */
    Mono<JobStatus> cancel(JobStatus current) {
        var now = clock.instant();
        JobStatus cancelled = current.ended(
                JobState.CANCELLED,
                new JobError(
                        ProblemTypes.JOB_CANCELLED, "Job cancelled", 409, "The job was cancelled on request.", null),
                now);
        var request = new JobCancelRequested(current.tenantId(), current.jobId(), now);
        return inTransaction(() -> kafka.executeInTransaction(ops -> {
            ops.send(Topics.JOB_CONTROL.name(), current.jobId(), request);
            ops.send(Topics.JOB_STATUS.name(), current.jobId(), cancelled);
            return cancelled;
        }));
    }

    private Mono<JobStatus> inTransaction(java.util.concurrent.Callable<JobStatus> write) {
        // The Kafka producer blocks (metadata, commit): keep it off the event loop.
        return Mono.fromCallable(write)
                .subscribeOn(Schedulers.boundedElastic())
                .onErrorMap(e -> !(e instanceof KafkaUnavailable), e -> new KafkaUnavailable(retryAfter, e));
    }
}
