package io.flowgate.api.problem;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;

/**
 * A domain error that becomes an RFC 9457 answer. The problems the API answers in more than one
 * place are named here once each (status, type and title), so every place answers them alike.
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

    /** Kafka could not take a write in time: nothing was accepted, retry later (503). */
    public static FlowgateProblem kafkaUnavailable(Duration retryAfter, Throwable cause) {
        return temporarilyUnavailable(
                "The request could not be stored durably right now; nothing was accepted. Retry later.",
                retryAfter,
                cause);
    }

    /** No job with this id for this tenant; another tenant's job answers exactly the same. */
    public static FlowgateProblem jobNotFound() {
        return new FlowgateProblem(404, ProblemTypes.JOB_NOT_FOUND, "Job not found", "There is no job with this id.");
    }

    /** No subscription with this id for this tenant; another tenant's answers exactly the same. */
    public static FlowgateProblem subscriptionNotFound() {
        return new FlowgateProblem(
                404,
                ProblemTypes.SUBSCRIPTION_NOT_FOUND,
                "Subscription not found",
                "There is no such subscription for this tenant.");
    }

    /** No operation (or trigger) of this name. */
    public static FlowgateProblem operationNotFound(String name) {
        return new FlowgateProblem(
                404,
                ProblemTypes.OPERATION_NOT_FOUND,
                "Operation not found",
                "There is no operation named '" + name + "'. GET /api/v1/operations lists them.");
    }

    /** No trigger of this name. */
    public static FlowgateProblem triggerNotFound(String name) {
        return new FlowgateProblem(
                404,
                ProblemTypes.TRIGGER_NOT_FOUND,
                "Trigger not found",
                "There is no trigger named '" + name + "'. GET /api/v1/triggers lists them.");
    }

    /** A tenant quota (jobs in flight, subscriptions) is used up: 429 with the limit and when to retry. */
    public static FlowgateProblem quotaExceeded(String title, String detail, int limit, Duration retryAfter) {
        return new FlowgateProblem(
                429, ProblemTypes.QUOTA_EXCEEDED, title, detail, retryAfter, Map.of("limit", limit), null);
    }

    /** The tenant's request rate is used up: 429 with when to retry. */
    public static FlowgateProblem rateLimited(String detail, Duration retryAfter) {
        return new FlowgateProblem(
                429, ProblemTypes.RATE_LIMITED, "Too many requests", detail, retryAfter, Map.of(), null);
    }

    /** The tenant is suspended or offboarded. */
    public static FlowgateProblem tenantNotActive(String detail) {
        return new FlowgateProblem(403, ProblemTypes.TENANT_NOT_ACTIVE, "Forbidden", detail);
    }

    /** The request is larger than accepted: nothing was accepted. */
    public static FlowgateProblem payloadTooLarge(String detail, @Nullable Throwable cause) {
        return new FlowgateProblem(
                413, ProblemTypes.PAYLOAD_TOO_LARGE, "Payload too large", detail, null, Map.of(), cause);
    }

    /** The Idempotency-Key was used before for a different request. */
    public static FlowgateProblem idempotencyKeyReused() {
        return new FlowgateProblem(
                422,
                ProblemTypes.IDEMPOTENCY_KEY_REUSED,
                "Idempotency key reused",
                "This Idempotency-Key was already used for a different request.");
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
