package io.flowgate.worker.job;

import io.flowgate.contracts.CallbackRequested;
import io.flowgate.contracts.JobStatus;
import io.flowgate.contracts.JobSubmitted;
import io.flowgate.contracts.Topics;
import io.flowgate.tenancy.TenantDirectory;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/** Writes job statuses to {@code flowgate.job-status}. */
@Component
class StatusWriter {

    private static final Logger log = LoggerFactory.getLogger(StatusWriter.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final KafkaTemplate<String, Object> kafka;
    private final TenantDirectory tenants;

    StatusWriter(KafkaTemplate<String, Object> statusTemplate, TenantDirectory tenants) {
        this.kafka = statusTemplate;
        this.tenants = tenants;
    }

    /**
     * Writes {@code status} and waits until Kafka has it (acks=all), retrying while Kafka is
     * unreachable: a job's offset is committed only after its final status is durable. Nothing is
     * written for a tenant that was offboarded.
     *
     * @param handedOver tells when to give up because the job now belongs to another worker
     * @throws HandedOver when {@code handedOver} turns true before the write succeeds
     */
    void write(JobStatus status, BooleanSupplier handedOver) {
        if (tenants.isOffboarded(status.tenantId())) {
            return; // the tenant's statuses were purged; a late one must not bring a job back
        }
        send(Topics.JOB_STATUS.name(), status.jobId(), status, "status " + status.state(), handedOver);
    }

    /**
     * Writes the final status of {@code job} and, for a webhook action's job, the callback that
     * reports it, each acknowledged by Kafka before the next. A crash in between runs the job again,
     * which writes the callback again with the same delivery id: receivers see at-least-once delivery
     * under one {@code webhook-id}.
     */
    void writeFinal(JobSubmitted job, JobStatus end, BooleanSupplier handedOver) {
        write(end, handedOver);
        if (job.subscriptionId() == null || tenants.isOffboarded(job.tenantId())) {
            return;
        }
        CallbackRequested callback = Callbacks.jobEnded(job, end);
        send(Topics.CALLBACKS.name(), job.subscriptionId(), callback, "callback", handedOver);
    }

    private void send(String topic, String key, Object value, String what, BooleanSupplier handedOver) {
        Duration backoff = Duration.ofMillis(200);
        while (true) {
            try {
                kafka.send(topic, key, value).get(60, TimeUnit.SECONDS);
                return;
            } catch (InterruptedException e) {
                // A stop signal arrived while writing; the write itself still has to happen.
                Thread.interrupted();
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                if (WriteFailures.isPermanent(cause)) {
                    // Retrying a record Kafka can never take would hold the job, its slot and its
                    // partition's offset for good.
                    log.warn("The {} of {} can never be written: {}", what, key, cause.toString());
                    throw new Unwritable(cause);
                }
                log.warn("Could not write the {} of {}; retrying in {}", what, key, backoff, e);
            }
            if (handedOver.getAsBoolean()) {
                throw new HandedOver();
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.interrupted();
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    /** Writes a progress update without waiting: losing one is harmless, the next replaces it. */
    void writeProgress(JobStatus status) {
        if (tenants.isOffboarded(status.tenantId())) {
            return;
        }
        kafka.send(Topics.JOB_STATUS.name(), status.jobId(), status);
    }

    /** The record can never be written (too large for Kafka, or not serializable). */
    static final class Unwritable extends RuntimeException {
        Unwritable(Throwable cause) {
            super("the record cannot be written: " + cause, cause);
        }
    }

    /** The job was handed to another worker before its status could be written. */
    static final class HandedOver extends RuntimeException {
        HandedOver() {
            super("the job was handed over to another worker", null, false, false);
        }
    }
}
