package io.flowgate.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
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

    private JsonSerde(Class<T> type) {
        this.type = type;
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

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        ObjectNode node = MAPPER.valueToTree(data);
        node.put("type", type.getSimpleName());
        node.put("v", SCHEMA_VERSION);
        return MAPPER.writeValueAsBytes(node);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
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
            return MAPPER.treeToValue(node, type);
        } catch (JacksonException | ClassCastException e) {
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
