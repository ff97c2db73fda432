package io.flowgate.charts;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Reads rendered manifests into the Kubernetes API's own types (fabric8's model, generated from the
 * Kubernetes OpenAPI) and reports what the API server would refuse or silently drop: a wrong type
 * (no scalar coercion), or a field the type does not have. fabric8's types keep unknown fields in
 * {@code additionalProperties} instead of failing, so the read object is walked and any such field
 * reported with its path; that walk is the only hand-written part.
 */
final class StrictManifests {

    private static final ObjectMapper YAML = JsonMapper.builder(new YAMLFactory())
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    /** The kinds the chart renders, by apiVersion/kind. */
    private static final Map<String, Class<?>> TYPES = Map.ofEntries(
            Map.entry("v1/ConfigMap", io.fabric8.kubernetes.api.model.ConfigMap.class),
            Map.entry("v1/Service", io.fabric8.kubernetes.api.model.Service.class),
            Map.entry("v1/ServiceAccount", io.fabric8.kubernetes.api.model.ServiceAccount.class),
            Map.entry("apps/v1/Deployment", io.fabric8.kubernetes.api.model.apps.Deployment.class),
            Map.entry(
                    "policy/v1/PodDisruptionBudget",
                    io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class),
            Map.entry(
                    "autoscaling/v2/HorizontalPodAutoscaler",
                    io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler.class),
            Map.entry(
                    "networking.k8s.io/v1/NetworkPolicy",
                    io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class),
            Map.entry("networking.k8s.io/v1/Ingress", io.fabric8.kubernetes.api.model.networking.v1.Ingress.class),
            Map.entry(
                    "monitoring.coreos.com/v1/ServiceMonitor",
                    io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor.class),
            Map.entry(
                    "monitoring.coreos.com/v1/PrometheusRule",
                    io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule.class));

    /** Kinds with no published Java model: checked for their required fields only. */
    static final List<String> UNMODELLED = List.of("keda.sh/v1alpha1/ScaledObject");

    private StrictManifests() {}

    /** The documents of a multi-document YAML stream (empty ones left out), as maps. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> documents(String rendered) throws java.io.IOException {
        List<Map<String, Object>> documents = new ArrayList<>();
        try (var parser = YAML.createParser(rendered)) {
            var values = YAML.readValues(parser, Map.class);
            while (values.hasNext()) {
                Map<String, Object> document = values.next();
                if (document != null && !document.isEmpty()) {
                    documents.add(document);
                }
            }
        }
        return documents;
    }

    /** What is wrong with {@code manifest}: empty when the Kubernetes API takes it as it is. */
    static List<String> problems(Map<String, Object> manifest) {
        String type = manifest.get("apiVersion") + "/" + manifest.get("kind");
        String name = type + " " + ((Map<?, ?>) manifest.getOrDefault("metadata", Map.of())).get("name");
        if (UNMODELLED.contains(type)) {
            return ((Map<?, ?>) manifest.getOrDefault("spec", Map.of())).containsKey("scaleTargetRef")
                    ? List.of()
                    : List.of(name + ": no spec.scaleTargetRef");
        }
        Class<?> model = TYPES.get(type);
        if (model == null) {
            return List.of(name + ": a kind this check does not know; add its model");
        }
        Object read;
        try {
            read = YAML.convertValue(manifest, model);
        } catch (IllegalArgumentException e) {
            return List.of(name + ": " + e.getMessage());
        }
        List<String> problems = new ArrayList<>();
        walk(read, name, problems);
        return problems;
    }

    private static void walk(Object value, String path, List<String> problems) {
        if (value == null
                || value instanceof String
                || value instanceof Number
                || value instanceof Boolean
                || value instanceof Enum<?>) {
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k, problems));
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                walk(item, path + "[" + i++ + "]", problems);
            }
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Class<?> type = value.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                field.setAccessible(true);
                Object child;
                try {
                    child = field.get(value);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
                if (field.getName().equals("additionalProperties")) {
                    if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        problems.add(path + ": unknown field(s) " + extra.keySet());
                    }
                } else {
                    walk(child, path + "." + field.getName(), problems);
                }
            }
        }
    }

    /** A Deployment manifest as the Kubernetes type. */
    static io.fabric8.kubernetes.api.model.apps.Deployment deployment(Map<String, Object> manifest) {
        return YAML.convertValue(manifest, io.fabric8.kubernetes.api.model.apps.Deployment.class);
    }
}
