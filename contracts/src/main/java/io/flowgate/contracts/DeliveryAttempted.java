package io.flowgate.contracts;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One delivery attempt, for a subscription's attempts log.
 *
 * @param tenantId the subscription's tenant
 * @param subscriptionId the subscription, also the record key
 * @param deliveryId the {@code webhook-id} of the callback
 * @param attempt 1 for the first attempt
 * @param at when the attempt started
 * @param outcome how it ended
 * @param statusCode the receiver's HTTP status, when it answered
 * @param error why it failed, when it did
 * @param latencyMillis from the start of the attempt to its end
 * @param nextAttemptAt when the next attempt is due, when one is scheduled
 */
public record DeliveryAttempted(
        String tenantId,
        String subscriptionId,
        String deliveryId,
        int attempt,
        Instant at,
        DeliveryOutcome outcome,
        @Nullable Integer statusCode,
        @Nullable String error,
        long latencyMillis,
        @Nullable Instant nextAttemptAt) {}
