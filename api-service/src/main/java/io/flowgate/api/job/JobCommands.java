package io.flowgate.api.job;

import io.flowgate.api.config.CommandLog;
import io.flowgate.contracts.JobCancelRequested;
import io.flowgate.contracts.JobStatus;
import io.flowgate.contracts.JobSubmitted;
import io.flowgate.contracts.Topics;
import java.time.Clock;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Writes job commands to Kafka, one record each, and completes only once Kafka has the record
 * (acks=all): durable before acknowledged. A single record is atomic by nature; the status view
 * derives the status each command implies (see {@link JobStatusTopology}).
 */
@Component
class JobCommands {

    private final CommandLog log;
    private final Clock clock;

    JobCommands(CommandLog log, Clock clock) {
        this.log = log;
        this.clock = clock;
    }

    /** Queues the job; answers its ACCEPTED status. */
    Mono<JobStatus> submit(JobSubmitted job) {
        return log.write(Topics.JOBS, job.jobId(), job).thenReturn(JobStatus.accepted(job));
    }

    /** Asks for the job to be cancelled; answers the CANCELLED status this implies. */
    Mono<JobStatus> cancel(JobStatus current) {
        var request = new JobCancelRequested(
                current.tenantId(),
                current.jobId(),
                current.operation(),
                current.requestHash(),
                current.createdAt(),
                clock.instant());
        return log.write(Topics.JOB_CONTROL, current.jobId(), request).thenReturn(JobStatus.cancelled(request));
    }
}
