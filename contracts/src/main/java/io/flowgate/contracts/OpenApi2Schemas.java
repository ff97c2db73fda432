package io.flowgate.contracts;

import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * An operation's JSON Schema (draft 2020-12) as the Schema Object of OpenAPI 2.0, the only form the
 * Logic Apps and Power Automate designers read: the connector definition's actions and the dynamic
 * schema the API serves to the designer are built with it.
 *
 * <p>Written by hand because what it does is a choice about what a designer should show, not a
 * format conversion a library offers for this pair: keywords OpenAPI 2.0 lacks are left out (the
 * API still validates the full schema), a type list of one type and {@code null} becomes the type
 * with {@code x-nullable}, any other type list leaves the value untyped, {@code const} becomes a
 * one-value {@code enum}, and a numeric {@code exclusiveMinimum}/{@code exclusiveMaximum} becomes
 * the bound with the boolean flag.
 */
public final class OpenApi2Schemas {

    /** The keywords of the OpenAPI 2.0 Schema Object that are kept as they are. */
    private static final Set<String> KEPT = Set.of(
            "title",
            "description",
            "format",
            "default",
            "multipleOf",
            "maximum",
            "minimum",
            "maxLength",
            "minLength",
            "pattern",
            "maxItems",
            "minItems",
            "uniqueItems",
            "maxProperties",
            "minProperties",
            "required",
            "enum",
            "example");

    private OpenApi2Schemas() {}

    /** {@code schema} as an OpenAPI 2.0 Schema Object (a new tree; {@code schema} is not changed). */
    public static ObjectNode of(JsonNode schema) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        if (!schema.isObject()) {
            return out; // true (anything) and false (nothing) have no 2.0 form: untyped
        }
        for (Map.Entry<String, JsonNode> field : schema.properties()) {
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (KEPT.contains(name) || name.startsWith("x-")) {
                out.set(name, value.deepCopy());
            }
        }
        type(schema.get("type"), out);
        if (schema.has("const")) {
            out.putArray("enum").add(schema.get("const").deepCopy());
        }
        bound(schema, "exclusiveMinimum", "minimum", out);
        bound(schema, "exclusiveMaximum", "maximum", out);
        if (schema.has("examples") && schema.get("examples").isArray() && !schema.has("example")) {
            if (!schema.get("examples").isEmpty()) {
                out.set("example", schema.get("examples").get(0).deepCopy());
            }
        }
        JsonNode properties = schema.get("properties");
        if (properties != null && properties.isObject()) {
            ObjectNode converted = out.putObject("properties");
            for (Map.Entry<String, JsonNode> property : properties.properties()) {
                converted.set(property.getKey(), of(property.getValue()));
            }
        }
        JsonNode items = schema.get("items");
        if (items != null) {
            out.set("items", of(items));
        }
        JsonNode additional = schema.get("additionalProperties");
        if (additional != null) {
            out.set("additionalProperties", additional.isBoolean() ? additional.deepCopy() : of(additional));
        }
        JsonNode allOf = schema.get("allOf");
        if (allOf != null && allOf.isArray()) {
            ArrayNode converted = out.putArray("allOf");
            allOf.forEach(part -> converted.add(of(part)));
        }
        return out;
    }

    private static void type(JsonNode type, ObjectNode out) {
        if (type == null) {
            return;
        }
        if (type.isString()) {
            out.put("type", type.asString());
            return;
        }
        if (type.isArray()) {
            var types = new java.util.ArrayList<String>();
            type.forEach(t -> types.add(t.asString()));
            boolean nullable = types.remove("null");
            if (types.size() == 1) {
                out.put("type", types.getFirst());
                if (nullable) {
                    out.put("x-nullable", true);
                }
            }
        }
    }

    private static void bound(JsonNode schema, String exclusive, String inclusive, ObjectNode out) {
        JsonNode bound = schema.get(exclusive);
        if (bound != null && bound.isNumber()) {
            out.set(inclusive, bound.deepCopy());
            out.put(exclusive, true);
        }
    }
}
