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
import tools.jackson.databind.DeserializationFeature;
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
    /** The accessors of the record's components that may not be null (not annotated {@code @Nullable}). */
    private final List<Method> required;

    private JsonSerde(Class<T> type) {
        this.type = type;
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
        ObjectNode node = MAPPER.valueToTree(data);
        node.put("type", type.getSimpleName());
        node.put("v", SCHEMA_VERSION);
        return MAPPER.writeValueAsBytes(node);
    }

    @Override
    public @Nullable T deserialize(String topic, byte @Nullable [] data) {
        if (data == null) {
            return null;
        }
        try {
            ObjectNode node = (ObjectNode) MAPPER.readTree(data);
            String written = node.path("type").asString("");
            if (!type.getSimpleName().equals(written)) {
                throw new SerializationException(
                        "expected a " + type.getSimpleName() + " on " + topic + " but found type '" + written + "'");
            }
            node.remove("type");
            node.remove("v");
            T value = MAPPER.treeToValue(node, type);
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
