package io.flowgate.api.operation;

import io.flowgate.contracts.OperationDescriptor;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** {@code GET /api/v1/operations}: the catalog, feeding {@code x-ms-dynamic-values} and schemas. */
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
}
