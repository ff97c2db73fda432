package io.flowgate.charts;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Validates custom resources against the OpenAPI v3 schema of their CustomResourceDefinition, as the
 * Kubernetes API server does with strict field validation ({@code kubectl apply --validate=strict}):
 * types, enums, required fields, and no field the schema does not declare. The fabric8 model has no
 * types for Strimzi's resources, and Strimzi's own model keeps unknown fields instead of refusing
 * them; so the CRD's schema is read as JSON Schema (draft 4, which OpenAPI v3 schemas follow) with
 * {@code additionalProperties: false} added wherever the API server would prune or refuse unknown
 * fields (objects with declared properties, unless {@code x-kubernetes-preserve-unknown-fields}).
 */
final class StrictCrds {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final tools.jackson.databind.json.JsonMapper JSON3 =
            tools.jackson.databind.json.JsonMapper.builder().build();

    private final Map<String, Schema> byKind = new HashMap<>();

    /** The schemas of the given CRD files (test resources), for the API version {@code version}. */
    StrictCrds(String version, String... crdResources) {
        for (String resource : crdResources) {
            Map<String, Object> crd = read(resource);
            Map<String, Object> spec = map(crd.get("spec"));
            String group = (String) spec.get("group");
            String kind = (String) map(spec.get("names")).get("kind");
            Map<String, Object> served = ((List<?>) spec.get("versions"))
                    .stream()
                            .map(StrictCrds::map)
                            .filter(v -> version.equals(v.get("name")))
                            .findFirst()
                            .orElseThrow(() -> new IllegalArgumentException(resource + " has no version " + version));
            Object schema = strict(map(served.get("schema")).get("openAPIV3Schema"));
            byKind.put(
                    group + "/" + version + "/" + kind,
                    SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
                            .getSchema(JSON3.readTree(write(schema))));
        }
    }

    /** Whether a schema for {@code manifest}'s apiVersion and kind is known. */
    boolean knows(Map<String, Object> manifest) {
        return byKind.containsKey(manifest.get("apiVersion") + "/" + manifest.get("kind"));
    }

    /** What is wrong with {@code manifest} (empty when nothing). */
    List<String> problems(Map<String, Object> manifest) {
        Schema schema = Objects.requireNonNull(byKind.get(manifest.get("apiVersion") + "/" + manifest.get("kind")));
        Map<?, ?> metadata = (Map<?, ?>) manifest.get("metadata");
        return schema.validate(JSON3.readTree(write(manifest))).stream()
                .map(error -> manifest.get("kind") + " " + metadata.get("name") + ": " + error)
                .toList();
    }

    /** The schema with unknown fields refused where the API server refuses them. */
    @SuppressWarnings("unchecked")
    private static Object strict(Object node) {
        if (node instanceof Map<?, ?> map) {
            Map<String, Object> copy = new HashMap<>();
            ((Map<String, Object>) map).forEach((key, value) -> {
                if (!key.startsWith("x-kubernetes-")) {
                    copy.put(key, key.equals("properties") ? strictEach(value) : strict(value));
                }
            });
            if (map.containsKey("properties")
                    && !map.containsKey("additionalProperties")
                    && !Boolean.TRUE.equals(map.get("x-kubernetes-preserve-unknown-fields"))) {
                copy.put("additionalProperties", false);
            }
            return copy;
        }
        if (node instanceof List<?> list) {
            return list.stream().map(StrictCrds::strict).toList();
        }
        return node;
    }

    /** A {@code properties} map: each value is a schema, the keys are field names. */
    @SuppressWarnings("unchecked")
    private static Object strictEach(Object properties) {
        Map<String, Object> copy = new HashMap<>();
        ((Map<String, Object>) properties).forEach((name, schema) -> copy.put(name, strict(schema)));
        return copy;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    private static Map<String, Object> read(String resource) {
        try (InputStream in = StrictCrds.class.getResourceAsStream(resource)) {
            return map(YAML.readValue(Objects.requireNonNull(in, resource), Map.class));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
