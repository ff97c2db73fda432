package io.flowgate.api.subscription;

import io.flowgate.api.job.JobController;
import io.flowgate.api.tenant.Tenants;
import io.flowgate.webhooks.SigningKeys;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/** The webhook action (PROTOCOL.md rules 13-16): subscribe, read, list attempts, unsubscribe. */
@RestController
class SubscriptionController {

    private final SubscriptionService subscriptions;
    private final SigningKeys keys;

    SubscriptionController(SubscriptionService subscriptions, SigningKeys signingKeys) {
        this.subscriptions = subscriptions;
        this.keys = signingKeys;
    }

    @PostMapping(
            path = "/api/v1/operations/{operation}/subscriptions",
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = {MediaType.APPLICATION_JSON_VALUE, MediaType.APPLICATION_PROBLEM_JSON_VALUE})
    Mono<ResponseEntity<?>> subscribe(
            @AuthenticationPrincipal Jwt token,
            @PathVariable String operation,
            @RequestBody JsonNode body,
            @RequestHeader HttpHeaders headers) {
        return Mono.defer(
                () -> subscriptions.subscribe(Tenants.of(token), operation, body, JobController.correlation(headers)));
    }

    @GetMapping(path = "/api/v1/subscriptions/{subscriptionId}")
    Mono<ResponseEntity<?>> read(@AuthenticationPrincipal Jwt token, @PathVariable String subscriptionId) {
        return Mono.defer(() -> subscriptions.read(Tenants.of(token), subscriptionId));
    }

    @GetMapping(path = "/api/v1/subscriptions/{subscriptionId}/deliveries")
    Mono<ResponseEntity<?>> deliveries(@AuthenticationPrincipal Jwt token, @PathVariable String subscriptionId) {
        return Mono.defer(() -> subscriptions.deliveries(Tenants.of(token), subscriptionId));
    }

    @DeleteMapping(path = "/api/v1/subscriptions/{subscriptionId}")
    Mono<ResponseEntity<?>> unsubscribe(@AuthenticationPrincipal Jwt token, @PathVariable String subscriptionId) {
        return Mono.defer(() -> subscriptions.unsubscribe(Tenants.of(token), subscriptionId));
    }

    /** The caller's tenant's webhook signing secrets, newest first, to verify callback signatures. */
    @GetMapping(path = "/api/v1/webhook-signing-secrets")
    Map<String, Object> signingSecrets(@AuthenticationPrincipal Jwt token) {
        return Map.of("value", keys.secretsOf(Tenants.of(token)));
    }
}
