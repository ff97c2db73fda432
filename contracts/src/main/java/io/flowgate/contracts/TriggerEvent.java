package io.flowgate.contracts;

import java.time.Instant;
import tools.jackson.databind.JsonNode;

/**
 * An event a trigger can fire on, keyed by {@link Topics#eventKey tenant and trigger} so that the
 * events of one trigger of one tenant stay in order.
 *
 * @param tenantId the tenant it belongs to
 * @param trigger the built-in trigger it feeds ({@code event-received} for ingested events)
 * @param eventId unguessable id, stable for a replayed ingestion with the same client id
 * @param eventType the event's type, as its publisher named it (the triggers filter on it); not
 *     {@code type}, which every serialized value uses for its record name
 * @param occurredAt when it happened, as its publisher says (the receipt time when not given)
 * @param receivedAt when Flowgate took it
 * @param data the event's JSON payload
 */
public record TriggerEvent(
        String tenantId,
        String trigger,
        String eventId,
        String eventType,
        Instant occurredAt,
        Instant receivedAt,
        JsonNode data) {}
