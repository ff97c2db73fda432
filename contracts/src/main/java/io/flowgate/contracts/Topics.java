package io.flowgate.contracts;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;

/** Every topic Flowgate uses, as typed descriptors (docs/architecture.md, "Who writes and reads what"). */
public final class Topics {

    private static final Map<String, String> DELETE = Map.of("cleanup.policy", "delete");
    private static final Map<String, String> COMPACT = Map.of("cleanup.policy", "compact");

    /** Jobs to run, keyed by job id: api-service to worker-service. */
    public static final Topic<String, JobSubmitted> JOBS =
            new Topic<>("flowgate.jobs.v1", Serdes.String(), JsonSerde.of(JobSubmitted.class), DELETE);

    /** Cancellation requests, keyed by job id: api-service to worker-service. */
    public static final Topic<String, JobCancelRequested> JOB_CONTROL =
            new Topic<>("flowgate.job-control.v1", Serdes.String(), JsonSerde.of(JobCancelRequested.class), DELETE);

    /**
     * Latest state of every job, keyed by job id. Compacted, and also deleted after the status
     * retention (set per deployment), so finished jobs do not live forever.
     */
    public static final Topic<String, JobStatus> JOB_STATUS = new Topic<>(
            "flowgate.job-status.v1",
            Serdes.String(),
            JsonSerde.of(JobStatus.class),
            Map.of("cleanup.policy", "compact,delete"));

    /** The operations workers offer, keyed by operation name: worker-service to api-service. */
    public static final Topic<String, OperationDescriptor> OPERATIONS =
            new Topic<>("flowgate.operations.v1", Serdes.String(), JsonSerde.of(OperationDescriptor.class), COMPACT);

    /**
     * The tenant registry, keyed by tenant id: api-service (admin API, open onboarding) to every
     * service. Compacted, so it holds the latest entry of every tenant.
     */
    public static final Topic<String, TenantRegistration> TENANTS =
            new Topic<>("flowgate.tenants.v1", Serdes.String(), JsonSerde.of(TenantRegistration.class), COMPACT);

    /**
     * Webhook subscriptions, keyed by subscription id: api-service to callback-dispatcher and back to
     * api-service. Compacted; an unsubscribe writes a tombstone.
     */
    public static final Topic<String, Subscription> SUBSCRIPTIONS =
            new Topic<>("flowgate.subscriptions.v1", Serdes.String(), JsonSerde.of(Subscription.class), COMPACT);

    /**
     * Webhook trigger subscriptions whose receiver said they are gone, keyed by subscription id:
     * callback-dispatcher to itself (the fan-out sends them no more events). Compacted; an unsubscribe
     * writes a tombstone.
     */
    public static final Topic<String, SubscriptionGone> SUBSCRIPTIONS_GONE = new Topic<>(
            "flowgate.subscriptions-gone.v1", Serdes.String(), JsonSerde.of(SubscriptionGone.class), COMPACT);

    /**
     * Callbacks to deliver, keyed by subscription id: worker-service (webhook actions) and the
     * callback-dispatcher's event fan-out (webhook triggers) to the callback-dispatcher.
     */
    public static final Topic<String, CallbackRequested> CALLBACKS =
            new Topic<>("flowgate.callbacks.v1", Serdes.String(), JsonSerde.of(CallbackRequested.class), DELETE);

    /** Every delivery attempt, keyed by subscription id: callback-dispatcher to api-service. */
    public static final Topic<String, DeliveryAttempted> DELIVERY_ATTEMPTS = new Topic<>(
            "flowgate.delivery-attempts.v1", Serdes.String(), JsonSerde.of(DeliveryAttempted.class), DELETE);

    /** Callbacks that failed for good, keyed by subscription id, until an operator redrives them. */
    public static final Topic<String, CallbackDeadLettered> CALLBACK_DEAD_LETTERS = new Topic<>(
            "flowgate.callbacks.dead-letter.v1", Serdes.String(), JsonSerde.of(CallbackDeadLettered.class), DELETE);

    /**
     * Trigger events, keyed by {@link #eventKey tenant and trigger}: api-service (event ingestion, and
     * job-completed from the status view) to the API's event index (polling triggers) and the
     * callback-dispatcher's fan-out (webhook triggers). One key lives on one partition, so the offset
     * orders a tenant's events of one trigger. Deleted after the event retention.
     * A tombstone under a key (written at offboarding) tells readers to drop every earlier event of it.
     */
    public static final Topic<String, TriggerEvent> EVENTS =
            new Topic<>("flowgate.events.v1", Serdes.String(), JsonSerde.of(TriggerEvent.class), DELETE);

    /** The key of a tenant's events for one trigger. */
    public static String eventKey(String tenantId, String trigger) {
        return tenantId + "/" + trigger;
    }

    /**
     * The retry topic of one delay tier: a callback written there is read back once {@code delay} has
     * passed since it was written (see the callback-dispatcher's {@code RetryTiers}).
     */
    public static Topic<String, CallbackRequested> callbackRetries(Duration delay) {
        return new Topic<>(
                "flowgate.callbacks.retry-" + delay.toMillis() + "ms.v1",
                Serdes.String(),
                JsonSerde.of(CallbackRequested.class),
                DELETE);
    }

    /** Every topic of fixed name, in the order they are created (the retry tiers come from configuration). */
    public static List<Topic<?, ?>> all() {
        return List.of(
                JOBS,
                JOB_CONTROL,
                JOB_STATUS,
                OPERATIONS,
                TENANTS,
                SUBSCRIPTIONS,
                SUBSCRIPTIONS_GONE,
                CALLBACKS,
                DELIVERY_ATTEMPTS,
                CALLBACK_DEAD_LETTERS,
                EVENTS);
    }

    private Topics() {}
}
