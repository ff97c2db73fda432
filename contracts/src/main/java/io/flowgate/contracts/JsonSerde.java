package io.flowgate.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * JSON serde for one record type. Every value carries an explicit {@code type} (the record's
 * simple name) and schema version {@code v}, so a reader can tell what it holds without the topic.
 */
public final class JsonSerde<T> implements Serde<T>, Serializer<T>, Deserializer<T> {

    /** Schema version written into every value. */
    public static final int SCHEMA_VERSION = 1;

    // Null properties are left out: smaller records, and an absent JsonNode reads back as null
    // rather than as a NullNode.
    static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .changeDefaultPropertyInclusion(inclusion -> inclusion.withValueInclusion(JsonInclude.Include.NON_NULL))
            .build();

    private final Class<T> type;
    private final ObjectReader reader;
    /** {@code {"type":"<simple name>","v":<version>}} without its closing brace. */
    private final byte[] envelope;
    /** The accessors of the record's components that may not be null (not annotated {@code @Nullable}). */
    private final List<Method> required;

    private JsonSerde(Class<T> type) {
        this.type = type;
        this.reader = MAPPER.readerFor(type);
        ObjectNode head = MAPPER.createObjectNode();
        head.put("type", type.getSimpleName());
        head.put("v", SCHEMA_VERSION);
        byte[] closed = MAPPER.writeValueAsBytes(head);
        this.envelope = Arrays.copyOf(closed, closed.length - 1);
        this.required = type.isRecord()
                ? Arrays.stream(type.getRecordComponents())
                        .filter(c -> !c.getAnnotatedType().isAnnotationPresent(Nullable.class))
                        .filter(c -> !c.getType().isPrimitive())
                        .map(JsonSerde::accessible)
                        .toList()
                : List.of();
    }

    /**
     * A serde for {@code type}.
     *
     * @throws IllegalArgumentException when the record has a component named {@code type} or {@code
     *     v}, which the envelope would overwrite
     */
    public static <T> JsonSerde<T> of(Class<T> type) {
        if (type.isRecord()) {
            for (var component : type.getRecordComponents()) {
                if (component.getName().equals("type") || component.getName().equals("v")) {
                    throw new IllegalArgumentException(type.getSimpleName() + "." + component.getName()
                            + " clashes with the envelope's own 'type' and 'v' fields: rename it");
                }
            }
        }
        return new JsonSerde<>(type);
    }

    /** The component's accessor, callable even when the record is package-private (a service's own). */
    private static Method accessible(RecordComponent component) {
        Method accessor = component.getAccessor();
        accessor.trySetAccessible();
        return accessor;
    }

    @Override
    public byte @Nullable [] serialize(String topic, @Nullable T data) {
        if (data == null) {
            return null;
        }
        // One pass: the value's own JSON object with the envelope's fields spliced in at its start.
        // (Through a tree, as before, every record was built twice; this runs for every record of
        // every service, and on the views' stream threads.) Jackson has no per-call extra fields for
        // a top-level value only, so the splice is by hand; it needs the value to be a JSON object.
        byte[] body = MAPPER.writeValueAsBytes(data);
        if (body.length < 2 || body[0] != '{') {
            ObjectNode node = MAPPER.valueToTree(data);
            node.put("type", type.getSimpleName());
            node.put("v", SCHEMA_VERSION);
            return MAPPER.writeValueAsBytes(node);
        }
        boolean empty = body.length == 2 && body[1] == '}';
        byte[] out = new byte[envelope.length + (empty ? 0 : 1) + body.length - 1];
        System.arraycopy(envelope, 0, out, 0, envelope.length);
        int at = envelope.length;
        if (!empty) {
            out[at++] = ',';
        }
        System.arraycopy(body, 1, out, at, body.length - 1);
        return out;
    }

    @Override
    public @Nullable T deserialize(String topic, byte @Nullable [] data) {
        if (data == null) {
            return null;
        }
        try {
            String written = envelopeType(data);
            if (!type.getSimpleName().equals(written)) {
                throw new SerializationException(
                        "expected a " + type.getSimpleName() + " on " + topic + " but found type '" + written + "'");
            }
            // The envelope's fields are unknown properties of the record, which the mapper ignores.
            T value = reader.readValue(data);
            if (value == null) {
                throw new SerializationException("unreadable " + type.getSimpleName() + " on " + topic);
            }
            // A record with a required field missing is as unreadable as one that does not parse:
            // handing it on would fail later, in code that cannot tell it from a bug.
            for (Method accessor : required) {
                if (accessor.invoke(value) == null) {
                    throw new SerializationException(
                            type.getSimpleName() + " on " + topic + " lacks its '" + accessor.getName() + "'");
                }
            }
            return value;
        } catch (JacksonException | ClassCastException | ReflectiveOperationException e) {
            throw new SerializationException("unreadable " + type.getSimpleName() + " on " + topic, e);
        }
    }

    /** The top-level {@code type} of a JSON object ("" when it has none), read without building it. */
    private static String envelopeType(byte[] data) {
        try (JsonParser parser = MAPPER.createParser(data)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return "";
            }
            for (JsonToken token = parser.nextToken(); token == JsonToken.PROPERTY_NAME; token = parser.nextToken()) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals("type")) {
                    return value == JsonToken.VALUE_STRING ? parser.getString() : "";
                }
                parser.skipChildren();
            }
            return "";
        }
    }

    @Override
    public void configure(java.util.Map<String, ?> configs, boolean isKey) {}

    @Override
    public void close() {}

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }
}
