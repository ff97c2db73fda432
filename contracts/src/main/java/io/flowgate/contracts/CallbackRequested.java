package io.flowgate.contracts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A callback to deliver to a subscription's URL, and, on the retry topics, when to try it again.
 *
 * @param tenantId the subscription's tenant
 * @param subscriptionId the subscription, also the record key
 * @param deliveryId the {@code webhook-id}: the same for every attempt of this one logical callback
 * @param payload the JSON body to POST
 * @param requestedAt when the callback was first requested
 * @param attempts attempts already made
 * @param notBefore the next attempt starts no earlier than this
 * @param correlation Logic Apps correlation headers carried from the subscribe call
 */
public record CallbackRequested(
        String tenantId,
        String subscriptionId,
        String deliveryId,
        JsonNode payload,
        Instant requestedAt,
        int attempts,
        Instant notBefore,
        Map<String, String> correlation) {

    /**
     * The {@code webhook-id} of the callback that tells subscription {@code subscriptionId} about
     * {@code cause} (a job, an event): {@code msg_} and 128 bits of SHA-256 over both, base64url. The
     * same whoever computes it and however often, so a repeated callback is the same delivery.
     */
    public static String deliveryId(String subscriptionId, String cause) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((subscriptionId + ":" + cause).getBytes(StandardCharsets.UTF_8));
            return "msg_" + Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** This callback after one more failed attempt, due again at {@code notBefore}. */
    public CallbackRequested retry(Instant notBefore) {
        return new CallbackRequested(
                tenantId, subscriptionId, deliveryId, payload, requestedAt, attempts + 1, notBefore, correlation);
    }

    /** This callback put off to {@code notBefore} without an attempt (its tenant was busy). */
    public CallbackRequested deferred(Instant notBefore) {
        return new CallbackRequested(
                tenantId, subscriptionId, deliveryId, payload, requestedAt, attempts, notBefore, correlation);
    }

    /** This callback with another payload (a dead letter too large to keep whole). */
    public CallbackRequested withPayload(JsonNode other) {
        return new CallbackRequested(
                tenantId, subscriptionId, deliveryId, other, requestedAt, attempts, notBefore, correlation);
    }

    /** This callback sent again from the dead-letter topic: a fresh schedule, the same id. */
    public CallbackRequested redriven(Instant now) {
        return new CallbackRequested(tenantId, subscriptionId, deliveryId, payload, requestedAt, 0, now, correlation);
    }
}
