package io.flowgate.contracts;

import java.time.Instant;

/**
 * A webhook trigger subscription whose receiver answered 404 or 410: no further events are sent to it.
 * Written by the callback-dispatcher under the subscription id; the unsubscribe removes it again.
 *
 * @param tenantId the subscription's tenant
 * @param subscriptionId the subscription, also the record key
 * @param status the receiver's answer (404 or 410)
 * @param at when the receiver answered it
 */
public record SubscriptionGone(String tenantId, String subscriptionId, int status, Instant at) {}
