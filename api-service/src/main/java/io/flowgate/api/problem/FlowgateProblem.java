package io.flowgate.api.problem;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;

/**
 * A domain error that becomes an RFC 9457 answer. Subclasses name the fact
 * ({@link JobNotFound}, {@link KafkaUnavailable}, ...).
 */
public class FlowgateProblem extends RuntimeException {

    private final ProblemDetail problem;
    private final @Nullable Duration retryAfter;

    public FlowgateProblem(int status, String type, String title, String detail) {
        this(status, type, title, detail, null, Map.of(), null);
    }

    public FlowgateProblem(
            int status,
            String type,
            String title,
            String detail,
            @Nullable Duration retryAfter,
            Map<String, Object> properties,
            @Nullable Throwable cause) {
        super(detail, cause);
        this.problem = ProblemDetail.forStatusAndDetail(HttpStatusCode.valueOf(status), detail);
        this.problem.setType(URI.create(type));
        this.problem.setTitle(title);
        properties.forEach(this.problem::setProperty);
        this.retryAfter = retryAfter;
    }

    /**
     * A transient fault the engine should retry (503 with {@code Retry-After}): a view still being
     * restored, a store not ready.
     *
     * @param detail what is not ready and what to do, for the caller
     */
    public static FlowgateProblem temporarilyUnavailable(String detail, Duration retryAfter, Throwable cause) {
        return new FlowgateProblem(
                503,
                ProblemTypes.TEMPORARILY_UNAVAILABLE,
                "Temporarily unavailable",
                detail,
                retryAfter,
                Map.of(),
                cause);
    }

    /** The problem body. */
    public ProblemDetail problem() {
        return problem;
    }

    /** The {@code Retry-After} to send with it, if any. */
    public @Nullable Duration retryAfter() {
        return retryAfter;
    }
}
