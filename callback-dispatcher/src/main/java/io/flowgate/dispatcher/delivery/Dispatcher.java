package io.flowgate.dispatcher.delivery;

import io.flowgate.contracts.CallbackDeadLettered;
import io.flowgate.contracts.CallbackRequested;
import io.flowgate.contracts.DeliveryAttempted;
import io.flowgate.contracts.DeliveryOutcome;
import io.flowgate.contracts.Subscription;
import io.flowgate.contracts.SubscriptionGone;
import io.flowgate.contracts.SubscriptionKind;
import io.flowgate.contracts.Topic;
import io.flowgate.contracts.Topics;
import io.flowgate.kafka.DurableWrites;
import io.flowgate.kafka.TopicWriter;
import io.flowgate.tenancy.TenantDirectory;
import io.flowgate.webhooks.CallbackUrlPolicy;
import io.flowgate.webhooks.SecretBox;
import io.flowgate.webhooks.SigningKeys;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Decides the fate of each callback read from Kafka and makes it durable: an attempt, then either
 * done (delivered, gone) or a retry written to a tier topic or a dead letter, and the attempt in the
 * attempts log. The returned future completes only once all of that is in Kafka, and only then may
 * the callback's offset be committed: a crash at any point repeats the attempt (at-least-once, under
 * the same {@code webhook-id}) rather than losing it.
 */
public final class Dispatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    private static final Duration EARLY_TOLERANCE = Duration.ofMillis(20);
    private static final Duration MAX_WRITE_BACKOFF = Duration.ofSeconds(10);
    private static final ContextSnapshotFactory CONTEXT =
            ContextSnapshotFactory.builder().build();

    private final TenantDirectory tenants;
    private final SubscriptionDirectory subscriptions;
    private final SecretBox callbackUrls;
    private final CallbackUrlPolicy policy;
    private final SigningKeys keys;
    private final CallbackSender sender;
    private final HostBreakers breakers;
    private final TenantLimiter limiter;
    private final RetrySchedule schedule;
    private final RetryTiers tiers;
    private final TopicWriter kafka;
    private final MeterRegistry meters;
    private final TraceContextHeaders traceContext;
    private final Clock clock;
    private final Duration syncTimeout;
    private final ExecutorService executor;
    private final Timer queueWait;
    private final Timer barrier;
    private volatile boolean closing;

    /** What the dispatcher works with. */
    public record Parts(
            TenantDirectory tenants,
            SubscriptionDirectory subscriptions,
            SecretBox callbackUrls,
            CallbackUrlPolicy policy,
            SigningKeys keys,
            TopicWriter kafka,
            MeterRegistry meters,
            TraceContextHeaders traceContext,
            Clock clock) {}

    /**
     * How the dispatcher delivers: its HTTP sender, breakers, per-tenant limiter, retry schedule and
     * tiers. {@link #of} builds them from the settings; tests may hand in their own.
     */
    public record Delivery(
            CallbackSender sender,
            HostBreakers breakers,
            TenantLimiter limiter,
            RetrySchedule schedule,
            RetryTiers tiers) {

        /** The collaborators {@code settings} describe; attempts run on {@code executor}. */
        public static Delivery of(
                DispatcherProperties settings,
                CallbackUrlPolicy policy,
                MeterRegistry meters,
                ExecutorService executor) {
            return new Delivery(
                    new CallbackSender(
                            policy.addresses(),
                            settings.connectTimeout(),
                            settings.responseTimeout(),
                            settings.maxResponseBody().toBytes()),
                    new HostBreakers(settings.breaker(), meters),
                    new TenantLimiter(settings.tenantConcurrency(), settings.tenantQueue(), executor),
                    new RetrySchedule(
                            settings.retrySchedule(),
                            settings.jitter(),
                            settings.maxRetryAfter(),
                            new java.util.Random()), // thread-safe: attempts run on many threads
                    new RetryTiers(settings.retryTiers()));
        }
    }

    /**
     * @param syncTimeout how long an attempt waits for the tenant and subscription views to catch up
     * @param executor where attempts run (the limiter of {@code delivery} hands them to it)
     */
    public Dispatcher(Parts parts, Delivery delivery, Duration syncTimeout, ExecutorService executor) {
        this.tenants = parts.tenants();
        this.subscriptions = parts.subscriptions();
        this.callbackUrls = parts.callbackUrls();
        this.policy = parts.policy();
        this.keys = parts.keys();
        this.kafka = parts.kafka();
        this.meters = parts.meters();
        this.traceContext = parts.traceContext();
        this.clock = parts.clock();
        this.executor = executor;
        this.syncTimeout = syncTimeout;
        this.sender = delivery.sender();
        this.breakers = delivery.breakers();
        this.limiter = delivery.limiter();
        this.schedule = delivery.schedule();
        this.tiers = delivery.tiers();
        meters.gauge("flowgate.dispatcher.pending", limiter, TenantLimiter::pending);
        meters.gauge("flowgate.dispatcher.breakers", breakers, HostBreakers::size);
        this.queueWait = Timer.builder("flowgate.dispatcher.queue.wait")
                .description("from reading a callback to the start of its attempt (waiting for its tenant's turn)")
                .publishPercentileHistogram()
                .register(meters);
        this.barrier = Timer.builder("flowgate.dispatcher.barrier")
                .description("bringing the tenant and subscription views up to date before an attempt")
                .publishPercentileHistogram()
                .register(meters);
        // Registered up front so that alert rules see a zero rather than nothing.
        meters.counter("flowgate.dispatcher.dead.letters");
        meters.counter("flowgate.dispatcher.deferred");
    }

    /** The retry tiers. */
    public RetryTiers tiers() {
        return tiers;
    }

    /** Attempts in progress or waiting for their tenant's turn. */
    public int pending() {
        return limiter.pending();
    }

    /**
     * Takes one callback read from Kafka.
     *
     * @return completes once the callback's fate is durable; fails only when the dispatcher closes
     *     first (the callback is then read again by whoever owns its partition next)
     */
    public CompletableFuture<Void> handle(CallbackRequested callback) {
        Instant now = clock.instant();
        Duration early = Duration.between(now, callback.notBefore());
        // The attempt, the move to a retry tier and their records continue the callback's trace.
        ContextSnapshot context = CONTEXT.captureAll();
        if (early.compareTo(EARLY_TOLERANCE) > 0) {
            // Out of a tier before its time is up (a wait longer than the tier): on to the next tier.
            return CompletableFuture.runAsync(
                    context.wrap(() -> moveOrDeadLetter(tiers.forWait(early), callback)), executor);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        long taken0 = System.nanoTime();
        boolean taken = limiter.offer(
                callback.tenantId(),
                () -> {
                    queueWait.record(System.nanoTime() - taken0, TimeUnit.NANOSECONDS);
                    try (ContextSnapshot.Scope scope = context.setThreadLocals()) {
                        attempt(callback);
                        return CompletableFuture.completedFuture(null);
                    } catch (RuntimeException e) {
                        return CompletableFuture.failedFuture(e);
                    }
                },
                done);
        if (taken) {
            return done;
        }
        // The tenant already has its fill of attempts in progress and waiting (a slow receiver):
        // put this one off to the shortest tier rather than hold it here. It is not an attempt.
        meters.counter("flowgate.dispatcher.deferred").increment();
        Topic<String, CallbackRequested> shortest = tiers.shortest();
        return CompletableFuture.runAsync(
                context.wrap(() -> moveOrDeadLetter(
                        shortest,
                        callback.deferred(clock.instant()
                                .plus(tiers.delayOf(shortest.name()).orElseThrow())))),
                executor);
    }

    /** Moves a callback to a retry tier; one Kafka can never take is dead-lettered instead. */
    private void moveOrDeadLetter(Topic<String, CallbackRequested> tier, CallbackRequested callback) {
        try {
            write(tier, callback);
        } catch (DurableWrites.Unwritable e) {
            deadLetter(
                    callback,
                    callback.attempts(),
                    clock.instant(),
                    0,
                    null,
                    "the callback cannot be kept for a retry (" + causeName(e) + ")");
        }
    }

    private void attempt(CallbackRequested callback) {
        long barrierStart = System.nanoTime();
        awaitViews(callback);
        barrier.record(System.nanoTime() - barrierStart, TimeUnit.NANOSECONDS);
        String tenantId = callback.tenantId();
        if (tenants.isOffboarded(tenantId)) {
            dropped(callback, "offboarded");
            return;
        }
        Optional<Subscription> found = subscriptions
                .find(callback.subscriptionId())
                .filter(s -> s.tenantId().equals(tenantId));
        if (found.isEmpty()) {
            dropped(callback, "unsubscribed");
            return;
        }
        Subscription subscription = found.get();
        if (subscriptions.isGone(subscription.subscriptionId())) {
            dropped(callback, "gone");
            return;
        }
        int attempt = callback.attempts() + 1;
        Instant start = clock.instant();
        URI url;
        try {
            url = policy.check(callbackUrls.open(subscription.sealedCallbackUrl(), tenantId));
        } catch (SecretBox.SecretUnreadable e) {
            deadLetter(callback, attempt, start, 0, null, "the callback URL cannot be decrypted (unknown key)");
            return;
        } catch (CallbackUrlPolicy.Refused e) {
            deadLetter(callback, attempt, start, 0, null, "callback URL not allowed: " + e.getMessage());
            return;
        }
        CircuitBreaker breaker = breakers.of(tenantId, subscription.callbackHost());
        long began = System.nanoTime();
        CallbackSender.Answer answer;
        if (!breaker.tryAcquirePermission()) {
            answer = CallbackSender.Answer.failed("circuit open for " + subscription.callbackHost());
        } else {
            answer = send(url, callback, start);
            long took = System.nanoTime() - began;
            if (AttemptOutcome.isReceiverFault(answer)) {
                breaker.onError(took, TimeUnit.NANOSECONDS, new CallbackFailed(String.valueOf(answer.failure())));
            } else {
                breaker.onSuccess(took, TimeUnit.NANOSECONDS);
            }
        }
        long latency = Duration.ofNanos(System.nanoTime() - began).toMillis();
        settle(callback, subscription, attempt, start, latency, answer);
    }

    private CallbackSender.Answer send(URI url, CallbackRequested callback, Instant start) {
        String body = callback.payload().toString();
        long timestamp = start.getEpochSecond();
        Map<String, String> headers = new LinkedHashMap<>(callback.correlation());
        headers.put("webhook-id", callback.deliveryId());
        headers.put("webhook-timestamp", Long.toString(timestamp));
        headers.put("webhook-signature", keys.signature(callback.tenantId(), callback.deliveryId(), timestamp, body));
        headers.put("User-Agent", "Flowgate-Webhooks/1");
        traceContext.addTo(headers);
        CallbackSender.Answer answer =
                sender.post(url, headers, body.getBytes(StandardCharsets.UTF_8)).block();
        return answer != null ? answer : CallbackSender.Answer.failed("no answer");
    }

    private void settle(
            CallbackRequested callback,
            Subscription subscription,
            int attempt,
            Instant start,
            long latency,
            CallbackSender.Answer answer) {
        switch (AttemptOutcome.of(answer, attempt, schedule)) {
            case AttemptOutcome.Delivered delivered -> {
                // From the callback's request to its delivery, retries included: the delivery objective.
                meters.timer("flowgate.dispatcher.delivery.latency")
                        .record(Duration.between(callback.requestedAt(), clock.instant()));
                recordAttempt(
                        callback, attempt, start, DeliveryOutcome.DELIVERED, delivered.status(), null, latency, null);
            }
            case AttemptOutcome.Gone gone -> {
                if (subscription.kind() == SubscriptionKind.TRIGGER) {
                    markGone(subscription, gone.statusCode(), start);
                }
                recordAttempt(
                        callback, attempt, start, DeliveryOutcome.GONE, gone.status(), gone.reason(), latency, null);
            }
            case AttemptOutcome.DeadLetter dead -> {
                deadLetter(callback, attempt, start, latency, dead.status(), dead.reason());
            }
            case AttemptOutcome.Retry retry -> {
                Instant next = clock.instant().plus(retry.delay());
                Topic<String, CallbackRequested> tier = tiers.forWait(retry.delay());
                try {
                    write(tier, callback.retry(next));
                } catch (DurableWrites.Unwritable e) {
                    deadLetter(
                            callback,
                            attempt,
                            start,
                            latency,
                            retry.status(),
                            "the callback cannot be kept for a retry (" + causeName(e) + "): " + retry.reason());
                    return;
                }
                meters.counter("flowgate.dispatcher.retries.scheduled", "tier", tier.name())
                        .increment();
                recordAttempt(
                        callback,
                        attempt,
                        start,
                        DeliveryOutcome.RETRYING,
                        retry.status(),
                        retry.reason(),
                        latency,
                        next);
            }
        }
    }

    private void deadLetter(
            CallbackRequested callback,
            int attempt,
            Instant start,
            long latency,
            @Nullable Integer status,
            String reason) {
        try {
            write(Topics.CALLBACK_DEAD_LETTERS, new CallbackDeadLettered(callback, reason, status, clock.instant()));
        } catch (DurableWrites.Unwritable e) {
            // Keep the dead letter, without the payload that made it unwritable: the operator still
            // sees which callback failed and why, and the job's result stays readable by its poll.
            write(
                    Topics.CALLBACK_DEAD_LETTERS,
                    new CallbackDeadLettered(
                            callback.withPayload(JsonNodeFactory.instance
                                    .objectNode()
                                    .put("omitted", "the payload was too large to keep in the dead-letter topic")),
                            reason,
                            status,
                            clock.instant()));
        }
        meters.counter("flowgate.dispatcher.dead.letters").increment();
        recordAttempt(callback, attempt, start, DeliveryOutcome.DEAD_LETTERED, status, reason, latency, null);
    }

    private void recordAttempt(
            CallbackRequested callback,
            int attempt,
            Instant start,
            DeliveryOutcome outcome,
            @Nullable Integer status,
            @Nullable String error,
            long latency,
            @Nullable Instant next) {
        // An attempt record is small; one that cannot be written (an error text out of bounds, say)
        // is counted in flowgate_dispatcher_records_unwritable_total and left out, never retried.
        writeAttempt(
                Topics.DELIVERY_ATTEMPTS,
                new DeliveryAttempted(
                        callback.tenantId(),
                        callback.subscriptionId(),
                        callback.deliveryId(),
                        attempt,
                        start,
                        outcome,
                        status,
                        error,
                        latency,
                        next));
        String tag = outcome.name().toLowerCase(Locale.ROOT);
        meters.counter("flowgate.dispatcher.deliveries", "outcome", tag, "tenant", callback.tenantId())
                .increment();
        Timer.builder("flowgate.dispatcher.attempt.latency")
                .tag("outcome", tag)
                .publishPercentileHistogram()
                .register(meters)
                .record(Duration.ofMillis(latency));
        // The attempt's context in the log's MDC (structured logs show it as fields): the tenant, the
        // subscription, the webhook-id and the Logic Apps correlation headers of the subscribe call.
        Map<String, String> previous = MDC.getCopyOfContextMap();
        if (callback.correlation() != null) {
            callback.correlation().forEach(MDC::put);
        }
        MDC.put("tenantId", callback.tenantId());
        MDC.put("subscriptionId", callback.subscriptionId());
        MDC.put("webhookId", callback.deliveryId());
        try {
            log.info(
                    "Callback {} of subscription {} (tenant {}): attempt {} {}{}",
                    callback.deliveryId(),
                    callback.subscriptionId(),
                    callback.tenantId(),
                    attempt,
                    tag,
                    error == null ? "" : " (" + error + ")");
        } finally {
            if (previous == null) {
                MDC.clear();
            } else {
                MDC.setContextMap(previous);
            }
        }
    }

    /**
     * Notes that a webhook trigger's receiver said its subscription is gone: the fan-out sends it no
     * more events, and callbacks already queued for it are dropped. (A webhook action's subscription
     * has one callback only, so nothing more is to be stopped.)
     */
    private void markGone(Subscription subscription, int status, Instant at) {
        SubscriptionGone marker =
                new SubscriptionGone(subscription.tenantId(), subscription.subscriptionId(), status, at);
        try {
            writeRecord(Topics.SUBSCRIPTIONS_GONE, subscription.subscriptionId(), marker);
        } catch (DurableWrites.Unwritable e) {
            log.error("The gone marker of {} cannot be written", subscription.subscriptionId(), e);
        }
        subscriptions.markedGone(marker);
        log.info(
                "Subscription {} of tenant {} is gone (its receiver answered {}); no more events are sent to it",
                subscription.subscriptionId(),
                subscription.tenantId(),
                status);
    }

    private void dropped(CallbackRequested callback, String reason) {
        meters.counter("flowgate.dispatcher.dropped", "reason", reason).increment();
        log.info(
                "Callback {} of subscription {} (tenant {}) dropped: {}",
                callback.deliveryId(),
                callback.subscriptionId(),
                callback.tenantId(),
                reason);
    }

    /**
     * Waits until the views hold everything committed before now about this callback's tenant and
     * subscription: their partitions only, so an unsubscribe or an offboarding acknowledged before
     * the attempt is always seen, and an unrelated transaction still open never holds it up.
     */
    private void awaitViews(CallbackRequested callback) {
        Duration backoff = Duration.ofMillis(100);
        while (true) {
            try {
                // Both barriers at once: each costs a round trip to Kafka and a fetch.
                CompletableFuture<Void> tenantsRead = tenants.syncAsync(callback.tenantId());
                CompletableFuture<Void> subscriptionsRead = subscriptions.syncAsync(callback.subscriptionId());
                try {
                    CompletableFuture.allOf(tenantsRead, subscriptionsRead)
                            .get(syncTimeout.toMillis(), TimeUnit.MILLISECONDS);
                    return;
                } catch (TimeoutException | ExecutionException e) {
                    tenantsRead.cancel(false);
                    subscriptionsRead.cancel(false);
                }
                log.warn("Subscription views not current within {}; waiting before the attempt", syncTimeout);
                pause(backoff);
                backoff = backoff.multipliedBy(2).compareTo(MAX_WRITE_BACKOFF) > 0
                        ? MAX_WRITE_BACKOFF
                        : backoff.multipliedBy(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Closing();
            }
        }
    }

    private void write(Topic<String, CallbackRequested> topic, CallbackRequested callback) {
        writeRecord(topic, callback.subscriptionId(), callback);
    }

    private void write(Topic<String, CallbackDeadLettered> topic, CallbackDeadLettered dead) {
        writeRecord(topic, dead.callback().subscriptionId(), dead);
    }

    private void writeAttempt(Topic<String, DeliveryAttempted> topic, DeliveryAttempted attempt) {
        try {
            writeRecord(topic, attempt.subscriptionId(), attempt);
        } catch (DurableWrites.Unwritable e) {
            log.error("The attempt record of {} cannot be written; left out", attempt.deliveryId(), e);
        }
    }

    /**
     * Writes one record and waits for Kafka to have it, trying again while Kafka is away
     * ({@link DurableWrites}); a record Kafka can never take is {@link DurableWrites.Unwritable}.
     */
    private <V> void writeRecord(Topic<String, V> topic, String key, V value) {
        try {
            DurableWrites.write(
                    "a record of " + key + " to " + topic.name(),
                    () -> kafka.send(topic, key, value),
                    () -> closing,
                    MAX_WRITE_BACKOFF);
        } catch (DurableWrites.Stopped e) {
            throw new Closing();
        } catch (DurableWrites.Unwritable e) {
            meters.counter("flowgate.dispatcher.records.unwritable", "topic", topic.name())
                    .increment();
            throw e;
        }
    }

    private void pause(Duration backoff) {
        try {
            Thread.sleep(backoff); // Kafka is away: wait before asking again
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Closing();
        }
    }

    @Override
    public void close() {
        closing = true;
        sender.close();
    }

    /** The dispatcher is closing: the callback is left to the partition's next owner. */
    static final class Closing extends RuntimeException {
        Closing() {
            super("the dispatcher is closing", null, false, false);
        }
    }

    /** A failed attempt, as the circuit breaker records it. */
    static final class CallbackFailed extends RuntimeException {
        CallbackFailed(String reason) {
            super(reason, null, false, false);
        }
    }

    private static String causeName(Throwable e) {
        return (e.getCause() != null ? e.getCause() : e).getClass().getSimpleName();
    }
}
