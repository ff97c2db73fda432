package io.flowgate.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The built-in triggers: what each one fires on, the filter parameters it takes, and the item it
 * hands to a flow. Shared by the API (polling triggers, {@code GET /api/v1/triggers}) and the
 * callback-dispatcher (webhook triggers), so a poll and a webhook deliver the same item for the same
 * event and filter it the same way (docs/triggers.md).
 */
public final class Triggers {

    /** Events a tenant's own systems publish through {@code POST /api/v1/events}. */
    public static final String EVENT_RECEIVED = "event-received";

    /** A job of the tenant reached a terminal state. */
    public static final String JOB_COMPLETED = "job-completed";

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final Pattern TYPE = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$");
    private static final Pattern OPERATION = Pattern.compile("^[a-z0-9][a-z0-9-]{0,99}$");
    private static final List<String> OUTCOMES = List.of("succeeded", "failed", "cancelled", "expired");

    /** The filter parameter that holds a JSONata condition over the item (evaluated by the services). */
    public static final String CONDITION = "condition";

    private static final int MAX_CONDITION_LENGTH = 2000;

    private static final Parameter CONDITION_PARAMETER = new Parameter(
            CONDITION,
            "Condition",
            "A JSONata expression over the item, such as data.total > 100: the trigger fires only when it is"
                    + " true (saves the flow runs that would discard the item).",
            null);

    /**
     * One filter parameter of a trigger.
     *
     * @param name the query parameter's name
     * @param summary the designer's label
     * @param description what it filters on
     * @param values the values it takes, when it is a fixed list
     */
    public record Parameter(
            String name,
            String summary,
            String description,

            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable
            List<String> values) {}

    /**
     * A built-in trigger.
     *
     * @param name its name in the paths ({@code /api/v1/triggers/{name}/...})
     * @param summary the designer's title
     * @param description what it fires on
     * @param parameters its filter parameters, all optional
     * @param itemSchema the JSON Schema of one item (draft-04 keywords only, so OpenAPI 2.0 designers
     *     read it as it is)
     */
    public record Definition(
            String name, String summary, String description, List<Parameter> parameters, JsonNode itemSchema) {

        /** The parameter called {@code name}, if this trigger has one. */
        public Optional<Parameter> parameter(String name) {
            return parameters.stream().filter(p -> p.name().equals(name)).findFirst();
        }
    }

    /** A filter that does not fit its trigger: the message says why, for a 400. */
    public static final class InvalidFilter extends RuntimeException {
        public InvalidFilter(String message) {
            super(message);
        }
    }

    private static final Definition EVENT_RECEIVED_DEFINITION = new Definition(
            EVENT_RECEIVED,
            "When an event is received",
            "Fires for each event your own systems publish to Flowgate (POST /api/v1/events), optionally only"
                    + " for one event type.",
            List.of(
                    new Parameter(
                            "type",
                            "Event type",
                            "Fire only for events of this type, for example order.created (exact match).",
                            null),
                    CONDITION_PARAMETER),
            object(
                    "An event published to Flowgate.",
                    Map.of(
                            "eventId", string("Event ID", "Flowgate's id of the event, stable across replays."),
                            "type", string("Event type", "The event's type, as its publisher named it."),
                            "occurredAt", dateTime("Occurred at", "When it happened, as its publisher says."),
                            "receivedAt", dateTime("Received at", "When Flowgate received it."),
                            "data", objectOf("Data", "The event's payload.")),
                    List.of("eventId", "type", "occurredAt", "receivedAt", "data")));

    private static final Definition JOB_COMPLETED_DEFINITION = new Definition(
            JOB_COMPLETED,
            "When a job completes",
            "Fires once for each job of your organization that finishes (succeeded, failed, cancelled or"
                    + " expired), optionally only for one operation or one outcome.",
            List.of(
                    new Parameter("operation", "Operation", "Fire only for jobs of this operation.", null),
                    new Parameter("outcome", "Outcome", "Fire only for jobs that ended this way.", OUTCOMES),
                    CONDITION_PARAMETER),
            object(
                    "A job that finished.",
                    Map.of(
                            "eventId", string("Event ID", "Flowgate's id of the event (the job's id)."),
                            "jobId", string("Job ID", "The job that finished."),
                            "operation", string("Operation", "The operation it ran."),
                            "status", string("Status", "succeeded, failed, cancelled or expired."),
                            "result", untyped("Result", "The operation's output, when it succeeded."),
                            "error", objectOf("Error", "Why it did not succeed (RFC 9457 problem details)."),
                            "createdAt", dateTime("Created at", "When the job was accepted."),
                            "completedAt", dateTime("Completed at", "When it finished.")),
                    List.of("eventId", "jobId", "operation", "status", "createdAt", "completedAt")));

    private static final List<Definition> ALL = List.of(EVENT_RECEIVED_DEFINITION, JOB_COMPLETED_DEFINITION);

    private Triggers() {}

    /** Every built-in trigger. */
    public static List<Definition> all() {
        return ALL;
    }

    /** The trigger called {@code name}. */
    public static Optional<Definition> find(String name) {
        return ALL.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    /**
     * The filter {@code parameters} ask for, checked against the trigger and in canonical form (sorted,
     * empty values left out), so that the same filter always has the same form.
     *
     * @throws InvalidFilter when a parameter is unknown or its value does not fit
     */
    public static Map<String, String> filter(Definition trigger, Map<String, String> parameters) {
        TreeMap<String, String> filter = new TreeMap<>();
        parameters.forEach((name, value) -> {
            Parameter parameter = trigger.parameter(name)
                    .orElseThrow(() -> new InvalidFilter("Unknown filter parameter '" + name + "'; " + trigger.name()
                            + " takes "
                            + trigger.parameters().stream().map(Parameter::name).toList() + "."));
            if (value.isEmpty()) {
                return;
            }
            if (parameter.values() != null && !parameter.values().contains(value)) {
                throw new InvalidFilter("'" + name + "' is one of " + parameter.values() + ".");
            }
            if (name.equals("type") && !TYPE.matcher(value).matches()) {
                throw new InvalidFilter(
                        "'type' is 1 to 200 letters, digits and . _ : / - (for example 'order.created').");
            }
            if (name.equals(CONDITION) && value.length() > MAX_CONDITION_LENGTH) {
                throw new InvalidFilter("'condition' is at most " + MAX_CONDITION_LENGTH + " characters.");
            }
            if (name.equals("operation") && !OPERATION.matcher(value).matches()) {
                throw new InvalidFilter("'operation' is an operation name: lower-case letters, digits and dashes.");
            }
            filter.put(name, value);
        });
        return Map.copyOf(filter);
    }

    /**
     * The filter as text, for ids and signatures: {@code name=length:value} lines in name order. The
     * length keeps it unambiguous when a value (a condition) holds a line break or an {@code =}.
     */
    public static String canonical(Map<String, String> filter) {
        StringBuilder line = new StringBuilder();
        new TreeMap<>(filter)
                .forEach((name, value) -> line.append(name)
                        .append('=')
                        .append(value.length())
                        .append(':')
                        .append(value)
                        .append('\n'));
        return line.toString();
    }

    /**
     * Whether {@code event} passes {@code filter}'s field filters (a canonical filter of the event's
     * trigger). A {@link #CONDITION} is not evaluated here: the services evaluate it on the item.
     */
    public static boolean matches(Map<String, String> filter, TriggerEvent event) {
        for (Map.Entry<String, String> condition : filter.entrySet()) {
            if (condition.getKey().equals(CONDITION)) {
                continue;
            }
            String actual = switch (condition.getKey()) {
                case "type", "outcome" -> event.eventType();
                case "operation" -> text(event.data().get("operation"));
                default -> null;
            };
            if (!condition.getValue().equals(actual)) {
                return false;
            }
        }
        return true;
    }

    /** The item a flow gets for {@code event}: the trigger's item schema, filled. */
    public static ObjectNode item(TriggerEvent event) {
        ObjectNode item = JSON.objectNode();
        item.put("eventId", event.eventId());
        if (event.trigger().equals(EVENT_RECEIVED)) {
            item.put("type", event.eventType());
            item.put("occurredAt", event.occurredAt().toString());
            item.put("receivedAt", event.receivedAt().toString());
            item.set("data", event.data());
        } else if (event.data().isObject()) {
            item.setAll((ObjectNode) event.data());
        }
        return item;
    }

    /**
     * The job-completed event of a job's first terminal status. Its id is the job's id, so the event is
     * the same whoever produces it and however often.
     */
    public static TriggerEvent jobCompleted(JobStatus end, Instant now) {
        if (!end.state().isTerminal()) {
            throw new IllegalArgumentException("job " + end.jobId() + " has not finished: " + end.state());
        }
        String outcome = end.state().name().toLowerCase(Locale.ROOT);
        ObjectNode data = JSON.objectNode();
        data.put("jobId", end.jobId());
        data.put("operation", end.operation());
        data.put("status", outcome);
        if (end.result() != null) {
            data.set("result", end.result());
        }
        JobError error = end.error();
        if (error != null) {
            ObjectNode problem = data.putObject("error");
            problem.put("type", error.type());
            problem.put("title", error.title());
            problem.put("status", error.status());
            problem.put("detail", error.detail());
        }
        data.put("createdAt", end.createdAt().toString());
        data.put("completedAt", end.updatedAt().toString());
        return new TriggerEvent(end.tenantId(), JOB_COMPLETED, end.jobId(), outcome, end.updatedAt(), now, data);
    }

    /** The outcomes a job-completed event can have. */
    public static Set<String> outcomes() {
        return Set.copyOf(OUTCOMES);
    }

    private static @Nullable String text(@Nullable JsonNode node) {
        return node != null && node.isString() ? node.asString() : null;
    }

    static ObjectNode object(String description, Map<String, JsonNode> properties, List<String> required) {
        ObjectNode schema = JSON.objectNode();
        schema.put("type", "object");
        schema.put("description", description);
        ObjectNode props = schema.putObject("properties");
        // Sorted by name: the served schema is the same on every replica and every start.
        new TreeMap<>(properties).forEach(props::set);
        required.forEach(schema.putArray("required")::add);
        return schema;
    }

    static ObjectNode string(String title, String description) {
        ObjectNode schema = untyped(title, description);
        schema.put("type", "string");
        return schema;
    }

    static ObjectNode dateTime(String title, String description) {
        ObjectNode schema = string(title, description);
        schema.put("format", "date-time");
        return schema;
    }

    static ObjectNode objectOf(String title, String description) {
        ObjectNode schema = untyped(title, description);
        schema.put("type", "object");
        return schema;
    }

    static ObjectNode untyped(String title, String description) {
        ObjectNode schema = JSON.objectNode();
        schema.put("title", title);
        schema.put("description", description);
        return schema;
    }
}
