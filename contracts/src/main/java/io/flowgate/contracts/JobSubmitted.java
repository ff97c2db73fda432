package io.flowgate.contracts;

import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A job to run.
 *
 * @param tenantId the tenant that submitted it
 * @param jobId unguessable job id, also the record key
 * @param operation the operation to run
 * @param input the operation's input, already validated against its schema
 * @param requestHash hash of operation and input, to tell an idempotent replay from a reused key
 * @param submittedAt when the API accepted it
 * @param deadline after this instant the job is EXPIRED instead of run (or while running)
 * @param correlation Logic Apps correlation headers carried from the request
 * @param subscriptionId the webhook subscription to call back when the job ends (webhook action), or
 *     null
 */
public record JobSubmitted(
        String tenantId,
        String jobId,
        String operation,
        JsonNode input,
        String requestHash,
        Instant submittedAt,
        Instant deadline,
        Map<String, String> correlation,
        @Nullable String subscriptionId) {}
