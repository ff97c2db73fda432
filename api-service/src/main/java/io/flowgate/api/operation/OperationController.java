package io.flowgate.api.operation;

import io.flowgate.api.problem.FlowgateProblem;
import io.flowgate.contracts.OpenApi2Schemas;
import io.flowgate.contracts.OperationDescriptor;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /api/v1/operations}: the catalog, feeding the connector's {@code x-ms-dynamic-values};
 * {@code GET /api/v1/operations/{operation}/designer-schema}: one operation's schemas as OpenAPI 2.0
 * schemas, feeding its {@code x-ms-dynamic-schema}.
 */
@RestController
class OperationController {

    private final OperationCatalog catalog;

    OperationController(OperationCatalog catalog) {
        this.catalog = catalog;
    }

    /** One operation of the catalog. */
    record Operation(
            String name,
            String summary,
            String description,
            JsonNode inputSchema,
            JsonNode outputSchema,
            long waitBudgetSeconds) {

        static Operation of(OperationDescriptor op) {
            return new Operation(
                    op.name(),
                    op.summary(),
                    op.description(),
                    op.inputSchema(),
                    op.outputSchema(),
                    op.waitBudget().toSeconds());
        }
    }

    /** The catalog, OData style. */
    record Operations(List<Operation> value) {}

    @GetMapping(path = "/api/v1/operations", produces = "application/json")
    Operations operations() {
        return new Operations(catalog.all().stream().map(Operation::of).toList());
    }

    /** An operation's input and output schemas in the form the designers read (OpenAPI 2.0 Schema Objects). */
    record DesignerSchema(JsonNode input, JsonNode output) {}

    @GetMapping(path = "/api/v1/operations/{operation}/designer-schema", produces = "application/json")
    DesignerSchema designerSchema(@PathVariable String operation) {
        OperationDescriptor found =
                catalog.find(operation).orElseThrow(() -> FlowgateProblem.operationNotFound(operation));
        return new DesignerSchema(OpenApi2Schemas.of(found.inputSchema()), OpenApi2Schemas.of(found.outputSchema()));
    }
}
