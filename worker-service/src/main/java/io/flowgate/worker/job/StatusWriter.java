package io.flowgate.worker.job;

import io.flowgate.contracts.CallbackRequested;
import io.flowgate.contracts.JobStatus;
import io.flowgate.contracts.JobSubmitted;
import io.flowgate.contracts.Topic;
import io.flowgate.contracts.Topics;
import io.flowgate.kafka.DurableWrites;
import io.flowgate.kafka.TopicWriter;
import io.flowgate.tenancy.TenantDirectory;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Writes job statuses to {@code flowgate.job-status}. */
@Component
class StatusWriter {

    private static final Logger log = LoggerFactory.getLogger(StatusWriter.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final TopicWriter kafka;
    private final TenantDirectory tenants;

    StatusWriter(TopicWriter topicWriter, TenantDirectory tenants) {
        this.kafka = topicWriter;
        this.tenants = tenants;
    }

    /**
     * Writes {@code status} and waits until Kafka has it (acks=all), retrying while Kafka is
     * unreachable ({@link DurableWrites}): a job's offset is committed only after its final status is
     * durable. A status Kafka can never take is {@link DurableWrites.Unwritable} at once. Nothing is
     * written for a tenant that was offboarded.
     *
     * @param handedOver tells when to give up because the job now belongs to another worker
     * @throws HandedOver when {@code handedOver} turns true before the write succeeds
     */
    void write(JobStatus status, BooleanSupplier handedOver) {
        if (tenants.isOffboarded(status.tenantId())) {
            return; // the tenant's statuses were purged; a late one must not bring a job back
        }
        send(Topics.JOB_STATUS, status.jobId(), status, "status " + status.state(), handedOver);
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
        send(Topics.CALLBACKS, job.subscriptionId(), callback, "callback", handedOver);
    }

    private <V> void send(Topic<String, V> topic, String key, V value, String what, BooleanSupplier handedOver) {
        try {
            DurableWrites.write(
                    "the " + what + " of " + key, () -> kafka.send(topic, key, value), handedOver, MAX_BACKOFF);
        } catch (DurableWrites.Stopped e) {
            throw new HandedOver();
        }
    }

    /** Writes a progress update without waiting: losing one is harmless, the next replaces it. */
    void writeProgress(JobStatus status) {
        if (tenants.isOffboarded(status.tenantId())) {
            return;
        }
        kafka.send(Topics.JOB_STATUS, status.jobId(), status);
    }

    /** The job was handed to another worker before its status could be written. */
    static final class HandedOver extends RuntimeException {
        HandedOver() {
            super("the job was handed over to another worker", null, false, false);
        }
    }
}
