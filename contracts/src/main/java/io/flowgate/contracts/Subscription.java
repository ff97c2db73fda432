package io.flowgate.contracts;

import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A webhook subscription; a tombstone under its id means it was removed.
 *
 * @param tenantId the tenant that subscribed
 * @param subscriptionId unguessable id, also the record key
 * @param kind webhook action or webhook trigger
 * @param target the operation (action) or trigger it subscribes to
 * @param jobId the job whose end the callback reports (actions only)
 * @param sealedCallbackUrl the callback URL, encrypted with the tenant id as associated data; the
 *     URL carries a signature, so it is a secret and never stored or logged in clear
 * @param callbackHost host and port of the callback URL, for metrics and circuit breaking
 * @param createdAt when it was accepted
 * @param correlation Logic Apps correlation headers of the subscribe call
 * @param filter a webhook trigger's filter parameters ({@link TriggerFilter}); empty for actions and
 *     for records written before triggers existed
 */
public record Subscription(
        String tenantId,
        String subscriptionId,
        SubscriptionKind kind,
        String target,
        @Nullable String jobId,
        String sealedCallbackUrl,
        String callbackHost,
        Instant createdAt,
        Map<String, String> correlation,
        Map<String, String> filter) {

    public Subscription {
        filter = filter == null ? Map.of() : Map.copyOf(filter); // absent in records of older versions
    }
}
