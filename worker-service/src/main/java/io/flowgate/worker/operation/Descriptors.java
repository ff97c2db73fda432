package io.flowgate.worker.operation;

import io.flowgate.contracts.OperationDescriptor;
import java.time.Duration;
import tools.jackson.databind.json.JsonMapper;

/** Builds descriptors from JSON Schema text, so handlers can state their schemas as text blocks. */
public final class Descriptors {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Descriptors() {}

    public static OperationDescriptor of(
            String name,
            String summary,
            String description,
            String inputSchema,
            String outputSchema,
            Duration waitBudget,
            Duration pollInterval) {
        return new OperationDescriptor(
                name,
                summary,
                description,
                JSON.readTree(inputSchema),
                JSON.readTree(outputSchema),
                waitBudget,
                pollInterval);
    }
}
