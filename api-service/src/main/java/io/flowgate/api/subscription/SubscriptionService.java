package io.flowgate.api.subscription;

import io.flowgate.api.config.ApiProperties;
import io.flowgate.api.job.JobIds;
import io.flowgate.api.job.JobService;
import io.flowgate.api.job.TenantJobs;
import io.flowgate.api.problem.FlowgateProblem;
import io.flowgate.api.problem.InvalidRequest;
import io.flowgate.api.problem.ProblemTypes;
import io.flowgate.api.tenant.TenantRefusals;
import io.flowgate.api.tenant.TenantRegistry;
import io.flowgate.api.trigger.TriggerSelection;
import io.flowgate.contracts.DeliveryAttempted;
import io.flowgate.contracts.JobSubmitted;
import io.flowgate.contracts.Subscription;
import io.flowgate.contracts.SubscriptionKind;
import io.flowgate.contracts.Triggers;
import io.flowgate.webhooks.CallbackUrlPolicy;
import io.flowgate.webhooks.SecretBox;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/** Subscribes, reads and unsubscribes webhook actions and webhook triggers for one tenant at a time. */
@Service
class SubscriptionService {

    private static final Logger log = LoggerFactory.getLogger(SubscriptionService.class);
    private static final Duration QUOTA_RETRY_AFTER = Duration.ofSeconds(30);
    private static final Set<String> BODY_FIELDS = Set.of("callbackUrl", "input");
    private static final Set<String> TRIGGER_BODY_FIELDS = Set.of("callbackUrl");

    private final JobService jobs;
    private final TenantJobs tenantJobs;
    private final SubscriptionCommands commands;
    private final SubscriptionView view;
    private final SubscriptionReads reads;
    private final TenantSubscriptions active;
    private final TenantRegistry tenants;
    private final TenantRefusals refusals;
    private final CallbackUrlPolicy policy;
    private final SecretBox box;
    private final JobIds ids;
    private final ApiProperties properties;
    private final Clock clock;
    private final ConcurrentHashMap<String, Mono<Subscription>> subscribing = new ConcurrentHashMap<>();

    SubscriptionService(
            JobService jobs,
            TenantJobs tenantJobs,
            SubscriptionCommands commands,
            SubscriptionView view,
            SubscriptionReads reads,
            TenantSubscriptions active,
            TenantRegistry tenants,
            CallbackUrlPolicy policy,
            SecretBox callbackUrlBox,
            ApiProperties properties,
            Clock clock,
            TenantRefusals refusals) {
        this.refusals = refusals;
        this.jobs = jobs;
        this.tenantJobs = tenantJobs;
        this.commands = commands;
        this.view = view;
        this.reads = reads;
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
    Mono<Subscription> subscribe(String tenantId, String operation, JsonNode body, Map<String, String> correlation) {
        String callbackUrl = callbackUrl(body, BODY_FIELDS);
        URI callback = allowed(callbackUrl);
        JsonNode input = body.has("input") ? body.get("input") : JsonNodeFactory.instance.objectNode();
        String subscriptionId = ids.idempotent(tenantId, "subscription\n" + operation + "\n" + callbackUrl);
        return findOrUnavailable(tenantId, subscriptionId, false)
                .flatMap(existing -> existing.isPresent()
                        ? Mono.just(existing.get().subscription())
                        // The same subscribe arriving again while the first is being written (a flow engine's
                        // retry, two concurrent calls) joins it: one subscription, one job.
                        : subscribing.computeIfAbsent(
                                subscriptionId,
                                id -> create(tenantId, input, callbackUrl, callback, id, correlation, operation)
                                        .doFinally(signal -> subscribing.remove(id))
                                        .cache()));
    }

    /**
     * Subscribes {@code body.callbackUrl} to the events of a webhook trigger that pass its filter.
     * Idempotent per (tenant, trigger, filter, callback URL): the engine subscribes again on every save,
     * parameter change, credential renewal and re-enable, and gets the same subscription.
     */
    Mono<Subscription> subscribeTrigger(
            String tenantId, TriggerSelection selection, JsonNode body, Map<String, String> correlation) {
        String callbackUrl = callbackUrl(body, TRIGGER_BODY_FIELDS);
        URI callback = allowed(callbackUrl);
        String subscriptionId = ids.idempotent(
                tenantId,
                "trigger-subscription\n" + selection.name() + "\n" + Triggers.canonical(selection.filter())
                        + callbackUrl);
        return findOrUnavailable(tenantId, subscriptionId, false)
                .flatMap(existing -> existing.isPresent()
                        ? Mono.just(existing.get().subscription())
                        : subscribing.computeIfAbsent(
                                subscriptionId,
                                id -> createTrigger(tenantId, selection, callbackUrl, callback, id, correlation)
                                        .doFinally(signal -> subscribing.remove(id))
                                        .cache()));
    }

    private Mono<Subscription> createTrigger(
            String tenantId,
            TriggerSelection selection,
            String callbackUrl,
            URI callback,
            String subscriptionId,
            Map<String, String> correlation) {
        reserve(tenantId, subscriptionId);
        Subscription subscription = new Subscription(
                tenantId,
                subscriptionId,
                SubscriptionKind.TRIGGER,
                selection.name(),
                null,
                box.seal(callbackUrl, tenantId),
                CallbackUrlPolicy.authority(callback),
                clock.instant(),
                correlation,
                selection.filter());
        return commands.subscribe(subscription)
                .doOnError(e -> active.release(tenantId, subscriptionId))
                .then(Mono.fromSupplier(() -> {
                    view.created(subscription);
                    active.written(subscription);
                    log.info(
                            "Subscription {} to trigger {} {} for tenant {} {}",
                            subscriptionId,
                            selection.name(),
                            selection.filter(),
                            tenantId,
                            correlation);
                    return subscription;
                }));
    }

    private void reserve(String tenantId, String subscriptionId) {
        int limit = Objects.requireNonNull(tenants.quotasOf(tenantId).subscriptions());
        if (!active.tryReserve(tenantId, subscriptionId, limit)) {
            refusals.refused(tenantId, "subscriptions");
            throw FlowgateProblem.quotaExceeded(
                    "Too many subscriptions",
                    "The tenant has " + limit + " active subscriptions, its limit; retry once some are removed.",
                    limit,
                    QUOTA_RETRY_AFTER);
        }
    }

    private URI allowed(String callbackUrl) {
        try {
            return policy.check(callbackUrl);
        } catch (CallbackUrlPolicy.Refused e) {
            throw new InvalidRequest(
                    ProblemTypes.CALLBACK_URL_NOT_ALLOWED, "Callback URL not allowed", String.valueOf(e.getMessage()));
        }
    }

    private Mono<Subscription> create(
            String tenantId,
            JsonNode input,
            String callbackUrl,
            URI callback,
            String subscriptionId,
            Map<String, String> correlation,
            String operation) {
        reserve(tenantId, subscriptionId);
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
                correlation,
                Map.of());
        return commands.subscribe(subscription, job)
                .doOnError(e -> {
                    active.release(tenantId, subscriptionId);
                    jobs.abandoned(job);
                })
                .then(Mono.fromSupplier(() -> {
                    jobs.written(job);
                    view.created(subscription);
                    active.written(subscription);
                    log.info(
                            "Subscription {} to {} (job {}) for tenant {} {}",
                            subscriptionId,
                            job.operation(),
                            job.jobId(),
                            tenantId,
                            correlation);
                    return subscription;
                }));
    }

    /** A subscription with its latest delivery attempts. */
    record Report(Subscription subscription, DeliveryLog deliveries) {}

    Mono<Report> read(String tenantId, String subscriptionId) {
        if (!JobIds.isWellFormed(subscriptionId)) {
            return Mono.error(FlowgateProblem.subscriptionNotFound());
        }
        return findOrUnavailable(tenantId, subscriptionId, true)
                .map(found -> found.orElseThrow(FlowgateProblem::subscriptionNotFound));
    }

    /** The subscription's latest delivery attempts, newest first. */
    Mono<List<DeliveryAttempted>> deliveries(String tenantId, String subscriptionId) {
        return read(tenantId, subscriptionId).map(report -> report.deliveries().attempts());
    }

    /**
     * Removes the subscription and cancels its job if it still runs. Idempotent: an unknown, removed
     * or other tenant's subscription completes the same and changes nothing.
     */
    Mono<Void> unsubscribe(String tenantId, String subscriptionId) {
        if (!JobIds.isWellFormed(subscriptionId)) {
            return Mono.empty();
        }
        return findOrUnavailable(tenantId, subscriptionId, true)
                .flatMap(found -> found.map(report -> remove(tenantId, report.subscription()))
                        .orElse(Mono.empty()));
    }

    private Mono<Void> remove(String tenantId, Subscription subscription) {
        String subscriptionId = subscription.subscriptionId();
        // The tombstone first: once it is in Kafka the dispatcher starts no attempt for it, so the
        // callback of the cancelled job is dropped too.
        return commands.remove(subscriptionId)
                .then(Mono.defer(() -> subscription.jobId() == null
                        ? Mono.<Void>empty()
                        : tenantJobs.cancelIfUnfinished(tenantId, subscription.jobId())))
                .then(Mono.fromRunnable(() -> {
                    active.forget(subscription);
                    log.info("Subscription {} of tenant {} removed", subscriptionId, tenantId);
                }));
    }

    /** The subscription and its deliveries, on whichever replica owns it. */
    private Mono<Optional<Report>> findOrUnavailable(String tenantId, String subscriptionId, boolean settled) {
        return reads.find(tenantId, subscriptionId, settled)
                .onErrorMap(SubscriptionView.Unavailable.class, this::unavailable);
    }

    private FlowgateProblem unavailable(Throwable cause) {
        return FlowgateProblem.temporarilyUnavailable(
                "Subscriptions are being restored; retry shortly.", properties.unavailableRetryAfter(), cause);
    }

    private static String callbackUrl(JsonNode body, Set<String> fields) {
        String expected = fields.size() == 1 ? "'callbackUrl'" : "'callbackUrl' and 'input'";
        if (!body.isObject()) {
            throw invalid("The body must be a JSON object with " + expected + ".");
        }
        for (String field : body.propertyNames()) {
            if (!fields.contains(field)) {
                throw invalid("Unknown property '" + field + "'; the body has " + expected + ".");
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
