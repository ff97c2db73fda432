package io.flowgate.contracts;

import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Why a job did not succeed, in RFC 9457 terms so the API can answer with it unchanged.
 *
 * @param type problem type URI
 * @param title short, stable summary of the problem type
 * @param status HTTP status the API answers with (4xx when the input was at fault)
 * @param detail what happened in this job
 * @param errors itemised details (for example schema violations), may be empty
 */
public record JobError(
        String type,
        String title,
        int status,
        String detail,
        @Nullable List<JsonNode> errors) {
    /** Why a cancelled job did not succeed; the same whoever records the cancel (API view or worker). */
    public static JobError cancelled() {
        return new JobError(
                "urn:flowgate:problem:job-cancelled", "Job cancelled", 409, "The job was cancelled on request.", null);
    }
}
