package io.flowgate.contracts;

import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The body of a webhook action's callback (docs/callbacks.md, "What a callback looks like"): the
 * outcome is in the body, since a callback's HTTP status cannot fail the action. The connector
 * declares it as the action's {@code x-ms-notification-content}, so the designer offers its fields.
 */
public final class ActionCallbacks {

    private static final JsonNode SCHEMA = Triggers.object(
            "How the job ended: its result, or why it did not succeed.",
            Map.of(
                    "subscriptionId", Triggers.string("Subscription ID", "The subscription that asked for it."),
                    "jobId", Triggers.string("Job ID", "The job that ended."),
                    "operation", Triggers.string("Operation", "The operation it ran."),
                    "status", Triggers.string("Status", "succeeded, failed, cancelled or expired."),
                    "result", Triggers.untyped("Result", "The operation's output, when it succeeded."),
                    "error", Triggers.objectOf("Error", "Why it did not succeed (RFC 9457 problem details)."),
                    "completedAt", Triggers.dateTime("Completed at", "When it ended.")),
            List.of("subscriptionId", "jobId", "operation", "status", "completedAt"));

    private ActionCallbacks() {}

    /** The callback body's JSON Schema (draft-04 keywords only, so OpenAPI 2.0 designers read it). */
    public static JsonNode schema() {
        return SCHEMA.deepCopy();
    }
}
