package io.flowgate.api.subscription;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import io.flowgate.api.config.ApiProperties;
import io.flowgate.api.job.JobController;
import io.flowgate.api.tenant.Tenants;
import io.flowgate.api.trigger.TriggerSelection;
import io.flowgate.contracts.DeliveryAttempted;
import io.flowgate.contracts.Subscription;
import io.flowgate.contracts.SubscriptionKind;
import io.flowgate.webhooks.SigningKeys;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Webhook actions and webhook triggers (docs/callbacks.md, docs/triggers.md): subscribe, read, list
 * attempts, unsubscribe.
 */
@RestController
class SubscriptionController {

    private final SubscriptionService subscriptions;
    private final SigningKeys keys;
    private final ApiProperties properties;

    SubscriptionController(SubscriptionService subscriptions, SigningKeys signingKeys, ApiProperties properties) {
        this.subscriptions = subscriptions;
        this.keys = signingKeys;
        this.properties = properties;
    }

    /** A subscription as the API shows it. */
    record SubscriptionBody(
            String subscriptionId,
            String kind,
            @JsonInclude(Include.NON_NULL) @Nullable String operation,
            @JsonInclude(Include.NON_NULL) @Nullable String trigger,
            @JsonInclude(Include.NON_EMPTY) Map<String, String> filter,
            @JsonInclude(Include.NON_NULL) @Nullable String jobId,
            @JsonInclude(Include.NON_NULL) @Nullable URI jobStatusUrl,
            String callbackHost,
            Instant createdAt,
            String state,
            @JsonInclude(Include.NON_NULL) @Nullable AttemptBody lastDelivery) {}

    /** One delivery attempt as the API shows it. */
    record AttemptBody(
            String deliveryId,
            int attempt,
            Instant at,
            String outcome,
            @JsonInclude(Include.NON_NULL) @Nullable Integer statusCode,
            @JsonInclude(Include.NON_NULL) @Nullable String error,
            long latencyMs,
            @JsonInclude(Include.NON_NULL) @Nullable Instant nextAttemptAt) {

        static AttemptBody of(DeliveryAttempted attempt) {
            return new AttemptBody(
                    attempt.deliveryId(),
                    attempt.attempt(),
                    attempt.at(),
                    attempt.outcome().name().toLowerCase(Locale.ROOT),
                    attempt.statusCode(),
                    attempt.error(),
                    attempt.latencyMillis(),
                    attempt.nextAttemptAt());
        }
    }

    /** A list answer, OData style. */
    record Page<T>(List<T> value) {}

    @PostMapping(
            path = "/api/v1/operations/{operation}/subscriptions",
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = {MediaType.APPLICATION_JSON_VALUE, MediaType.APPLICATION_PROBLEM_JSON_VALUE})
    Mono<ResponseEntity<SubscriptionBody>> subscribe(
            @AuthenticationPrincipal Jwt token,
            @PathVariable String operation,
            @RequestBody JsonNode body,
            @RequestHeader HttpHeaders headers) {
        return Mono.defer(() ->
                        subscriptions.subscribe(Tenants.of(token), operation, body, JobController.correlation(headers)))
                .map(subscription ->
                        ResponseEntity.created(location(subscription)).body(body(subscription, DeliveryLog.EMPTY)));
    }

    /** The webhook trigger: subscribes the body's {@code callbackUrl} to the trigger's events that pass the filter. */
    @PostMapping(
            path = "/api/v1/triggers/{trigger}/subscriptions",
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = {MediaType.APPLICATION_JSON_VALUE, MediaType.APPLICATION_PROBLEM_JSON_VALUE})
    Mono<ResponseEntity<SubscriptionBody>> subscribeTrigger(
            @AuthenticationPrincipal Jwt token,
            @PathVariable String trigger,
            @RequestParam MultiValueMap<String, String> query,
            @RequestBody JsonNode body,
            @RequestHeader HttpHeaders headers) {
        return Mono.defer(() -> subscriptions.subscribeTrigger(
                        Tenants.of(token),
                        TriggerSelection.of(trigger, query, Set.of()),
                        body,
                        JobController.correlation(headers)))
                .map(subscription ->
                        ResponseEntity.created(location(subscription)).body(body(subscription, DeliveryLog.EMPTY)));
    }

    @GetMapping(path = "/api/v1/subscriptions/{subscriptionId}")
    Mono<SubscriptionBody> read(@AuthenticationPrincipal Jwt token, @PathVariable String subscriptionId) {
        return Mono.defer(() -> subscriptions.read(Tenants.of(token), subscriptionId))
                .map(report -> body(report.subscription(), report.deliveries()));
    }

    @GetMapping(path = "/api/v1/subscriptions/{subscriptionId}/deliveries")
    Mono<Page<AttemptBody>> deliveries(@AuthenticationPrincipal Jwt token, @PathVariable String subscriptionId) {
        return Mono.defer(() -> subscriptions.deliveries(Tenants.of(token), subscriptionId))
                .map(attempts ->
                        new Page<>(attempts.stream().map(AttemptBody::of).toList()));
    }

    @DeleteMapping(path = "/api/v1/subscriptions/{subscriptionId}")
    Mono<ResponseEntity<Void>> unsubscribe(@AuthenticationPrincipal Jwt token, @PathVariable String subscriptionId) {
        return Mono.defer(() -> subscriptions.unsubscribe(Tenants.of(token), subscriptionId))
                .thenReturn(ResponseEntity.noContent().build());
    }

    /** The caller's tenant's webhook signing secrets, newest first, to verify callback signatures. */
    @GetMapping(path = "/api/v1/webhook-signing-secrets")
    Page<SigningKeys.TenantSecret> signingSecrets(@AuthenticationPrincipal Jwt token) {
        return new Page<>(keys.secretsOf(Tenants.of(token)));
    }

    private URI location(Subscription subscription) {
        return properties.publicUrl("/api/v1/subscriptions/" + subscription.subscriptionId());
    }

    private SubscriptionBody body(Subscription subscription, DeliveryLog deliveries) {
        String jobId = subscription.jobId();
        boolean trigger = subscription.kind() == SubscriptionKind.TRIGGER;
        return new SubscriptionBody(
                subscription.subscriptionId(),
                subscription.kind().name().toLowerCase(Locale.ROOT),
                trigger ? null : subscription.target(),
                trigger ? subscription.target() : null,
                subscription.filter(),
                jobId,
                jobId == null ? null : properties.publicUrl("/api/v1/jobs/" + jobId),
                subscription.callbackHost(),
                subscription.createdAt(),
                deliveries.gone() ? "gone" : "active",
                deliveries.attempts().stream().findFirst().map(AttemptBody::of).orElse(null));
    }
}
