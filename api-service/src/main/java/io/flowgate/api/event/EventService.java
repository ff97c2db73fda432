package io.flowgate.api.event;

import io.flowgate.api.config.ApiProperties;
import io.flowgate.api.config.CommandLog;
import io.flowgate.api.job.JobIds;
import io.flowgate.api.problem.InvalidRequest;
import io.flowgate.api.problem.ProblemTypes;
import io.flowgate.contracts.Topics;
import io.flowgate.contracts.TriggerEvent;
import io.flowgate.contracts.Triggers;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Takes a tenant's events and writes them to {@code flowgate.events}, durably before the 202. An event
 * published again with the same client {@code id} gets the same event id, so the triggers can tell a
 * replay from a new event.
 */
@Service
public class EventService {

    private static final Logger log = LoggerFactory.getLogger(EventService.class);
    private static final Pattern TYPE = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$");
    private static final Pattern CLIENT_ID = Pattern.compile("^[\\x21-\\x7e]{1,200}$");
    private static final Set<String> FIELDS = Set.of("type", "data", "id", "occurredAt");

    private final CommandLog commands;
    private final JobIds ids;
    private final Clock clock;

    EventService(CommandLog commands, ApiProperties properties, Clock clock) {
        this.commands = commands;
        this.ids = new JobIds(properties.idSecret());
        this.clock = clock;
    }

    /** Checks and writes one event; completes with it once Kafka has it. */
    Mono<TriggerEvent> publish(String tenantId, JsonNode body) {
        if (!body.isObject()) {
            throw invalid("The body must be a JSON object with 'type' and 'data'.");
        }
        for (String field : body.propertyNames()) {
            if (!FIELDS.contains(field)) {
                throw invalid("Unknown property '" + field + "'; an event has 'type', 'data', 'id' and 'occurredAt'.");
            }
        }
        JsonNode type = body.get("type");
        if (type == null || !type.isString() || !TYPE.matcher(type.asString()).matches()) {
            throw invalid("'type' is required: 1 to 200 letters, digits and . _ : / - (for example 'order.created').");
        }
        JsonNode data = body.get("data");
        if (data == null || !data.isObject()) {
            throw invalid("'data' is required: the event's payload, a JSON object.");
        }
        Instant now = clock.instant();
        Instant occurredAt = occurredAt(body.get("occurredAt"), now);
        String eventId = eventId(tenantId, body.get("id"));
        TriggerEvent event =
                new TriggerEvent(tenantId, Triggers.EVENT_RECEIVED, eventId, type.asString(), occurredAt, now, data);
        return commands.write(Topics.EVENTS, Topics.eventKey(tenantId, Triggers.EVENT_RECEIVED), event)
                .then(Mono.fromSupplier(() -> {
                    log.info("Event {} ({}) received for tenant {}", eventId, event.eventType(), tenantId);
                    return event;
                }));
    }

    /**
     * Writes a tombstone under each of the tenant's event keys (offboarding): readers drop every
     * earlier event of those keys; later ones of an offboarded tenant are dropped too.
     */
    public Mono<Integer> purge(String tenantId) {
        List<String> triggers =
                Triggers.all().stream().map(Triggers.Definition::name).toList();
        return Flux.fromIterable(triggers)
                .concatMap(trigger -> commands.write(Topics.EVENTS, Topics.eventKey(tenantId, trigger), null))
                .then(Mono.just(triggers.size()));
    }

    private String eventId(String tenantId, JsonNode clientId) {
        if (clientId == null) {
            return ids.random();
        }
        if (!clientId.isString() || !CLIENT_ID.matcher(clientId.asString()).matches()) {
            throw invalid("'id', when given, is 1 to 200 visible ASCII characters.");
        }
        return ids.idempotent(tenantId, "event\n" + clientId.asString());
    }

    private static Instant occurredAt(JsonNode value, Instant now) {
        if (value == null) {
            return now;
        }
        try {
            return Instant.parse(value.asString());
        } catch (DateTimeParseException | UnsupportedOperationException e) {
            throw invalid("'occurredAt', when given, is an RFC 3339 UTC time such as 2026-11-23T07:00:00Z.");
        }
    }

    private static InvalidRequest invalid(String detail) {
        return new InvalidRequest(ProblemTypes.INVALID_EVENT, "Invalid event", detail);
    }
}
