package io.flowgate.worker.operation;

import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** The job's input cannot be processed (a bad expression, malformed CSV...): the caller's fault. */
public class InvalidOperationInput extends Exception {

    private final List<JsonNode> errors;

    public InvalidOperationInput(String message) {
        this(message, List.of(), null);
    }

    public InvalidOperationInput(String message, List<JsonNode> errors, @Nullable Throwable cause) {
        super(message, cause);
        this.errors = List.copyOf(errors);
    }

    /** Itemised details for the problem answer. */
    public List<JsonNode> errors() {
        return errors;
    }
}
