package io.flowgate.api.problem;

import java.util.List;
import java.util.Map;

/** The request is malformed or its input breaks the operation's schema (400). */
public final class InvalidRequest extends FlowgateProblem {

    public InvalidRequest(String type, String title, String detail) {
        super(400, type, title, detail);
    }

    public InvalidRequest(String type, String title, String detail, List<?> errors) {
        super(400, type, title, detail, null, Map.of("errors", errors), null);
    }
}
