package io.flowgate.contracts;

import java.time.Duration;
import tools.jackson.databind.JsonNode;

/**
 * What a worker announces about one operation it can run; the API's catalog is built from these.
 *
 * @param name URL-safe operation name, for example {@code jsonata-transform}
 * @param summary short summary (connector action title)
 * @param description one or two sentences for the catalog and the connector definition
 * @param inputSchema JSON Schema (draft 2020-12) of the input
 * @param outputSchema JSON Schema (draft 2020-12) of the result
 * @param waitBudget how long a synchronous call waits for the result before answering 202
 * @param pollInterval the Retry-After a poll of a running job of this operation suggests
 */
public record OperationDescriptor(
        String name,
        String summary,
        String description,
        JsonNode inputSchema,
        JsonNode outputSchema,
        Duration waitBudget,
        Duration pollInterval) {}
