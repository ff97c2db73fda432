package io.flowgate.api.problem;

/** The stable problem {@code type} URIs Flowgate answers with; each is documented in docs/api.md. */
public final class ProblemTypes {

    private static final String BASE = "urn:flowgate:problem:";

    public static final String UNAUTHORIZED = BASE + "unauthorized";
    public static final String FORBIDDEN = BASE + "forbidden";
    public static final String JOB_NOT_FOUND = BASE + "job-not-found";
    public static final String OPERATION_NOT_FOUND = BASE + "operation-not-found";
    public static final String INVALID_INPUT = BASE + "invalid-input";
    public static final String MALFORMED_REQUEST = BASE + "malformed-request";
    public static final String PAYLOAD_TOO_LARGE = BASE + "payload-too-large";
    public static final String IDEMPOTENCY_KEY_REUSED = BASE + "idempotency-key-reused";
    public static final String INVALID_IDEMPOTENCY_KEY = BASE + "invalid-idempotency-key";
    public static final String TEMPORARILY_UNAVAILABLE = BASE + "temporarily-unavailable";
    public static final String RATE_LIMITED = BASE + "rate-limited";
    public static final String QUOTA_EXCEEDED = BASE + "quota-exceeded";
    public static final String TENANT_NOT_ACTIVE = BASE + "tenant-not-active";
    public static final String TENANT_NOT_FOUND = BASE + "tenant-not-found";
    public static final String INVALID_TENANT_CHANGE = BASE + "invalid-tenant-change";
    public static final String SUBSCRIPTION_NOT_FOUND = BASE + "subscription-not-found";
    public static final String INVALID_SUBSCRIPTION = BASE + "invalid-subscription";
    public static final String CALLBACK_URL_NOT_ALLOWED = BASE + "callback-url-not-allowed";
    public static final String INVALID_DEAD_LETTER_SELECTION = BASE + "invalid-dead-letter-selection";
    public static final String INVALID_EVENT = BASE + "invalid-event";
    public static final String TRIGGER_NOT_FOUND = BASE + "trigger-not-found";
    public static final String INVALID_TRIGGER_FILTER = BASE + "invalid-trigger-filter";
    public static final String INVALID_TRIGGER_STATE = BASE + "invalid-trigger-state";
    public static final String INTERNAL = BASE + "internal-error";

    private ProblemTypes() {}
}
