package io.flowgate.worker.operation;

import io.flowgate.contracts.OperationDescriptor;
import tools.jackson.databind.JsonNode;

/**
 * The plug-in point: a Spring bean implementing this runs one operation. Handlers may be run more
 * than once for the same job (execution is at-least-once), never twice at the same time.
 */
public interface OperationHandler {

    /** Name, schemas and timing of the operation; announced to the API's catalog at start-up. */
    OperationDescriptor descriptor();

    /**
     * Runs the operation. The input has already been validated against the input schema.
     *
     * @return the result, which must match the output schema
     * @throws InvalidOperationInput when the input is at fault (the job fails with a 4xx answer)
     * @throws InterruptedException when the job is cancelled while the handler blocks
     * @throws Exception for any other failure (the job fails with a 500 answer)
     */
    JsonNode run(JsonNode input, JobContext context) throws Exception;
}
