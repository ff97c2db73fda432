package io.flowgate.api.event;

import io.flowgate.api.tenant.Tenants;
import java.time.Instant;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /api/v1/events}: a tenant's own service (an app-only token with the events app role)
 * publishes an event for the {@code event-received} trigger.
 */
@RestController
class EventController {

    private final EventService events;

    EventController(EventService events) {
        this.events = events;
    }

    @PostMapping(
            path = "/api/v1/events",
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = {MediaType.APPLICATION_JSON_VALUE, MediaType.APPLICATION_PROBLEM_JSON_VALUE})
    Mono<ResponseEntity<Received>> publish(@AuthenticationPrincipal Jwt token, @RequestBody JsonNode body) {
        return Mono.defer(() -> events.publish(Tenants.of(token), body))
                .map(event -> ResponseEntity.status(HttpStatus.ACCEPTED)
                        .body(new Received(event.eventId(), event.eventType(), event.receivedAt())));
    }

    /** The answer to a published event. */
    record Received(String eventId, String type, Instant receivedAt) {}
}
