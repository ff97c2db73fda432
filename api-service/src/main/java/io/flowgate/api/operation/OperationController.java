package io.flowgate.api.operation;

import io.flowgate.contracts.OperationDescriptor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/operations}: the catalog, feeding {@code x-ms-dynamic-values} and schemas. */
@RestController
class OperationController {

    private final OperationCatalog catalog;

    OperationController(OperationCatalog catalog) {
        this.catalog = catalog;
    }

    @GetMapping(path = "/api/v1/operations", produces = "application/json")
    Map<String, Object> operations() {
        List<Map<String, Object>> value =
                catalog.all().stream().map(OperationController::entry).toList();
        return Map.of("value", value);
    }

    private static Map<String, Object> entry(OperationDescriptor op) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", op.name());
        entry.put("summary", op.summary());
        entry.put("description", op.description());
        entry.put("inputSchema", op.inputSchema());
        entry.put("outputSchema", op.outputSchema());
        entry.put("waitBudgetSeconds", op.waitBudget().toSeconds());
        return entry;
    }
}
