package io.flowgate.worker.job;

import io.flowgate.contracts.CallbackRequested;
import io.flowgate.contracts.JobStatus;
import io.flowgate.contracts.JobSubmitted;
import java.util.Locale;
import java.util.Objects;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** The callback of a webhook action's job (docs/callbacks.md, "What a callback looks like"). */
final class Callbacks {

    private Callbacks() {}

    /**
     * The callback reporting that {@code job} ended with {@code end}: {@code jobId}, {@code status}
     * and {@code result} or {@code error}, since a callback cannot fail the action by its HTTP
     * status. Its delivery id is derived from the subscription and the job, so a job run twice
     * (at-least-once) yields the same {@code webhook-id}.
     */
    static CallbackRequested jobEnded(JobSubmitted job, JobStatus end) {
        String subscriptionId = Objects.requireNonNull(job.subscriptionId());
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        payload.put("subscriptionId", subscriptionId);
        payload.put("jobId", job.jobId());
        payload.put("operation", job.operation());
        payload.put("status", end.state().name().toLowerCase(Locale.ROOT));
        if (end.result() != null) {
            payload.set("result", end.result());
        }
        if (end.error() != null) {
            ObjectNode error = payload.putObject("error");
            error.put("type", end.error().type());
            error.put("title", end.error().title());
            error.put("status", end.error().status());
            error.put("detail", end.error().detail());
            if (end.error().errors() != null) {
                error.putArray("errors").addAll(end.error().errors());
            }
        }
        payload.put("completedAt", end.updatedAt().toString());
        return new CallbackRequested(
                job.tenantId(),
                subscriptionId,
                CallbackRequested.deliveryId(subscriptionId, job.jobId()),
                payload,
                end.updatedAt(),
                0,
                end.updatedAt(),
                job.correlation());
    }
}
