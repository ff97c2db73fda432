package io.flowgate.api.subscription;

import io.flowgate.api.config.ApiProperties;
import io.flowgate.api.job.JobIds;
import io.flowgate.api.job.JobService;
import io.flowgate.api.job.TenantJobs;
import io.flowgate.api.problem.FlowgateProblem;
import io.flowgate.api.problem.InvalidRequest;
import io.flowgate.api.problem.ProblemTypes;
import io.flowgate.api.tenant.TenantRegistry;
import io.flowgate.contracts.DeliveryAttempted;
import io.flowgate.contracts.JobSubmitted;
import io.flowgate.contracts.Subscription;
import io.flowgate.contracts.SubscriptionKind;
import io.flowgate.webhooks.CallbackUrlPolicy;
import io.flowgate.webhooks.SecretBox;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/** Subscribes, reads and unsubscribes webhook actions for one tenant at a time. */
@Service
class SubscriptionService {

    private static final Logger log = LoggerFactory.getLogger(SubscriptionService.class);
    private static final Duration QUOTA_RETRY_AFTER = Duration.ofSeconds(30);
    private static final Set<String> BODY_FIELDS = Set.of("callbackUrl", "input");

    private final JobService jobs;
    private final TenantJobs tenantJobs;
    private final SubscriptionCommands commands;
    private final SubscriptionView view;
    private final TenantSubscriptions active;
    private final TenantRegistry tenants;
    private final CallbackUrlPolicy policy;
    private final SecretBox box;
    private final JobIds ids;
    private final ApiProperties properties;
    private final Clock clock;
    private final ConcurrentHashMap<String, Mono<ResponseEntity<?>>> subscribing = new ConcurrentHashMap<>();

    SubscriptionService(
            JobService jobs,
            TenantJobs tenantJobs,
            SubscriptionCommands commands,
            SubscriptionView view,
            TenantSubscriptions active,
            TenantRegistry tenants,
            CallbackUrlPolicy policy,
            SecretBox callbackUrlBox,
            ApiProperties properties,
            Clock clock) {
        this.jobs = jobs;
        this.tenantJobs = tenantJobs;
        this.commands = commands;
        this.view = view;
        this.active = active;
        this.tenants = tenants;
        this.policy = policy;
        this.box = callbackUrlBox;
        this.ids = new JobIds(properties.idSecret());
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * Subscribes {@code body.callbackUrl} to the end of a new job running {@code operation} on {@code
     * body.input}. Idempotent per (tenant, operation, callback URL): a repeated call answers the same
     * subscription, and a concurrent one the same as the first.
     */
    Mono<ResponseEntity<?>> subscribe(
            String tenantId, String operation, JsonNode body, Map<String, String> correlation) {
        String callbackUrl = callbackUrl(body);
        URI callback;
        try {
            callback = policy.check(callbackUrl);
        } catch (CallbackUrlPolicy.Refused e) {
            throw new InvalidRequest(ProblemTypes.CALLBACK_URL_NOT_ALLOWED, "Callback URL not allowed", e.getMessage());
        }
        JsonNode input = body.has("input") ? body.get("input") : JsonNodeFactory.instance.objectNode();
        String subscriptionId = ids.idempotent(tenantId, "subscription\n" + operation + "\n" + callbackUrl);
        Optional<Subscription> existing = findOrUnavailable(tenantId, subscriptionId);
        if (existing.isPresent()) {
            return Mono.just(created(existing.get()));
        }
        // The same subscribe arriving again while the first is being written (a flow engine's
        // retry, two concurrent calls) joins it: one subscription, one job.
        return subscribing.computeIfAbsent(
                subscriptionId,
                id -> create(tenantId, input, callbackUrl, callback, id, correlation, operation)
                        .doFinally(signal -> subscribing.remove(id))
                        .cache());
    }

    private Mono<ResponseEntity<?>> create(
            String tenantId,
            JsonNode input,
            String callbackUrl,
            URI callback,
            String subscriptionId,
            Map<String, String> correlation,
            String operation) {
        int limit = Objects.requireNonNull(tenants.quotasOf(tenantId).subscriptions());
        if (!active.tryReserve(tenantId, subscriptionId, limit)) {
            throw new FlowgateProblem(
                    429,
                    ProblemTypes.QUOTA_EXCEEDED,
                    "Too many subscriptions",
                    "The tenant has " + limit + " active subscriptions, its limit; retry once some are removed.",
                    QUOTA_RETRY_AFTER,
                    Map.of("limit", limit),
                    null);
        }
        JobSubmitted job;
        try {
            job = jobs.draftForSubscription(tenantId, operation, input, correlation, subscriptionId);
        } catch (RuntimeException e) {
            active.release(tenantId, subscriptionId);
            throw e;
        }
        Subscription subscription = new Subscription(
                tenantId,
                subscriptionId,
                SubscriptionKind.ACTION,
                job.operation(),
                job.jobId(),
                box.seal(callbackUrl, tenantId),
                CallbackUrlPolicy.authority(callback),
                clock.instant(),
                correlation);
        return commands.subscribe(subscription, job)
                .doOnError(e -> {
                    active.release(tenantId, subscriptionId);
                    jobs.abandoned(job);
                })
                .then(Mono.fromSupplier(() -> {
                    jobs.written(job);
                    view.created(subscription);
                    log.info(
                            "Subscription {} to {} (job {}) for tenant {} {}",
                            subscriptionId,
                            job.operation(),
                            job.jobId(),
                            tenantId,
                            correlation);
                    return created(subscription);
                }));
    }

    Mono<ResponseEntity<?>> read(String tenantId, String subscriptionId) {
        Subscription subscription = existing(tenantId, subscriptionId);
        DeliveryLog deliveries = deliveriesOrUnavailable(subscriptionId);
        Map<String, Object> body = describe(subscription);
        body.put("state", isGone(deliveries) ? "gone" : "active");
        deliveries.attempts().stream().findFirst().ifPresent(last -> body.put("lastDelivery", describe(last)));
        return Mono.just(ResponseEntity.ok(body));
    }

    Mono<ResponseEntity<?>> deliveries(String tenantId, String subscriptionId) {
        existing(tenantId, subscriptionId);
        List<Map<String, Object>> attempts = deliveriesOrUnavailable(subscriptionId).attempts().stream()
                .map(SubscriptionService::describe)
                .toList();
        return Mono.just(ResponseEntity.ok(Map.of("value", attempts)));
    }

    /**
     * Removes the subscription and cancels its job if it still runs. Idempotent: an unknown, removed
     * or other tenant's subscription answers the same 204 and changes nothing.
     */
    Mono<ResponseEntity<?>> unsubscribe(String tenantId, String subscriptionId) {
        if (!JobIds.isWellFormed(subscriptionId)) {
            return Mono.just(ResponseEntity.noContent().build());
        }
        Optional<Subscription> found = findOrUnavailable(tenantId, subscriptionId);
        if (found.isEmpty()) {
            return Mono.just(ResponseEntity.noContent().build());
        }
        Subscription subscription = found.get();
        // The tombstone first: once it is in Kafka the dispatcher starts no attempt for it, so the
        // callback of the cancelled job is dropped too.
        return commands.remove(subscriptionId)
                .then(Mono.defer(() -> subscription.jobId() == null
                        ? Mono.<Void>empty()
                        : tenantJobs.cancelIfUnfinished(tenantId, subscription.jobId())))
                .then(Mono.fromSupplier(() -> {
                    active.forget(subscription);
                    log.info("Subscription {} of tenant {} removed", subscriptionId, tenantId);
                    return ResponseEntity.noContent().build();
                }));
    }

    private ResponseEntity<?> created(Subscription subscription) {
        URI location = properties.publicUrl("/api/v1/subscriptions/" + subscription.subscriptionId());
        Map<String, Object> body = describe(subscription);
        body.put("state", "active");
        return ResponseEntity.created(location).body(body);
    }

    private Map<String, Object> describe(Subscription subscription) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("subscriptionId", subscription.subscriptionId());
        body.put("kind", subscription.kind().name().toLowerCase(java.util.Locale.ROOT));
        body.put("operation", subscription.target());
        if (subscription.jobId() != null) {
            body.put("jobId", subscription.jobId());
            body.put("jobStatusUrl", properties.publicUrl("/api/v1/jobs/" + subscription.jobId()));
        }
        body.put("callbackHost", subscription.callbackHost());
        body.put("createdAt", subscription.createdAt());
        return body;
    }

    private static Map<String, Object> describe(DeliveryAttempted attempt) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("deliveryId", attempt.deliveryId());
        body.put("attempt", attempt.attempt());
        body.put("at", attempt.at());
        body.put("outcome", attempt.outcome().name().toLowerCase(java.util.Locale.ROOT));
        if (attempt.statusCode() != null) {
            body.put("statusCode", attempt.statusCode());
        }
        if (attempt.error() != null) {
            body.put("error", attempt.error());
        }
        body.put("latencyMs", attempt.latencyMillis());
        if (attempt.nextAttemptAt() != null) {
            body.put("nextAttemptAt", attempt.nextAttemptAt());
        }
        return body;
    }

    private static boolean isGone(DeliveryLog log) {
        return log.attempts().stream().anyMatch(a -> a.outcome() == io.flowgate.contracts.DeliveryOutcome.GONE);
    }

    private Subscription existing(String tenantId, String subscriptionId) {
        if (!JobIds.isWellFormed(subscriptionId)) {
            throw notFound();
        }
        return findOrUnavailable(tenantId, subscriptionId).orElseThrow(SubscriptionService::notFound);
    }

    private static FlowgateProblem notFound() {
        return new FlowgateProblem(
                404,
                ProblemTypes.SUBSCRIPTION_NOT_FOUND,
                "Subscription not found",
                "There is no such subscription for this tenant.");
    }

    private Optional<Subscription> findOrUnavailable(String tenantId, String subscriptionId) {
        try {
            return view.find(tenantId, subscriptionId);
        } catch (SubscriptionView.Unavailable e) {
            throw unavailable(e);
        }
    }

    private DeliveryLog deliveriesOrUnavailable(String subscriptionId) {
        try {
            return view.deliveries(subscriptionId);
        } catch (SubscriptionView.Unavailable e) {
            throw unavailable(e);
        }
    }

    private FlowgateProblem unavailable(Throwable cause) {
        return FlowgateProblem.temporarilyUnavailable(
                "Subscriptions are being restored; retry shortly.", properties.unavailableRetryAfter(), cause);
    }

    private static String callbackUrl(JsonNode body) {
        if (!body.isObject()) {
            throw invalid("The body must be a JSON object with 'callbackUrl' and 'input'.");
        }
        for (String field : body.propertyNames()) {
            if (!BODY_FIELDS.contains(field)) {
                throw invalid("Unknown property '" + field + "'; the body has 'callbackUrl' and 'input'.");
            }
        }
        JsonNode url = body.get("callbackUrl");
        if (url == null || !url.isString() || url.asString().isBlank()) {
            throw invalid("'callbackUrl' is required: the URL the engine is called back on.");
        }
        return url.asString();
    }

    private static InvalidRequest invalid(String detail) {
        return new InvalidRequest(ProblemTypes.INVALID_SUBSCRIPTION, "Invalid subscription", detail);
    }
}
