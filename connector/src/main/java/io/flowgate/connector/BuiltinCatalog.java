package io.flowgate.connector;

import io.flowgate.contracts.OperationDescriptor;
import io.flowgate.worker.operation.OperationHandler;
import java.util.Comparator;
import java.util.List;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;

/**
 * The operations the worker runs, found as the worker finds them: the operation handlers of its
 * built-in package, created by a component scan. An operation added there is in the next
 * definition written.
 */
public final class BuiltinCatalog {

    /** The package the worker's built-in operations live in. */
    public static final String PACKAGE = "io.flowgate.worker.operation.builtin";

    private BuiltinCatalog() {}

    /** The descriptors, sorted by name (as the API's catalog lists them). */
    public static List<OperationDescriptor> operations() {
        try (var context = new AnnotationConfigApplicationContext(PACKAGE)) {
            return context.getBeansOfType(OperationHandler.class).values().stream()
                    .map(OperationHandler::descriptor)
                    .sorted(Comparator.comparing(OperationDescriptor::name))
                    .toList();
        }
    }
}
