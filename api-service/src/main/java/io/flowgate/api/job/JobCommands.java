package io.flowgate.api.job;

import io.flowgate.api.config.ApiProperties;
import io.flowgate.api.problem.KafkaUnavailable;
import io.flowgate.contracts.JobCancelRequested;
import io.flowgate.contracts.JobStatus;
import io.flowgate.contracts.JobSubmitted;
import io.flowgate.contracts.Topic;
import io.flowgate.contracts.Topics;
import java.time.Clock;
import java.time.Duration;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Writes job commands to Kafka, one record each, and completes only once Kafka has the record
 * (acks=all): durable before acknowledged. A single record is atomic by nature; the status view
 * derives the status each command implies (see {@link JobStatusTopology}).
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

    /** Queues the job; answers its ACCEPTED status. */
    Mono<JobStatus> submit(JobSubmitted job) {
        return write(Topics.JOBS, job.jobId(), job).thenReturn(JobStatus.accepted(job));
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
        return write(Topics.JOB_CONTROL, current.jobId(), request).thenReturn(JobStatus.cancelled(request));
    }

    private <V> Mono<Void> write(Topic<String, V> topic, String key, V value) {
        // send() blocks while it waits for metadata (max.block.ms) when Kafka is away; keep that off
        // the event loop. The answer itself arrives asynchronously.
        return Mono.fromCallable(() -> kafka.send(topic.name(), key, value))
                .flatMap(Mono::fromFuture)
                .subscribeOn(Schedulers.boundedElastic())
                // The future completes on the producer's single I/O thread: move the rest of the
                // request off it, or every answer queues behind that one thread.
                .publishOn(Schedulers.parallel())
                .onErrorMap(e -> !(e instanceof KafkaUnavailable), e -> new KafkaUnavailable(retryAfter, e))
                .then();
    }
}
