package io.flowgate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** Collects the figures of a run and writes them as JSON and as a Markdown table. */
final class Report {

    private static final JsonMapper JSON =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private final Map<String, Object> root = new LinkedHashMap<>();
    private final Map<String, Object> ceilings = new LinkedHashMap<>();
    private final Map<String, Object> flowgate = new LinkedHashMap<>();
    private final Map<String, Object> resources = new LinkedHashMap<>();
    private final List<Map<String, Object>> comparisons = new ArrayList<>();

    Report(String profile, Map<String, Object> machine, Map<String, Object> configuration) {
        root.put("profile", profile);
        root.put("date", java.time.Instant.now().toString());
        root.put("machine", machine);
        root.put("configuration", configuration);
        root.put("comparisons", comparisons);
        root.put("ceilings", ceilings);
        root.put("flowgate", flowgate);
        root.put("resources", resources);
    }

    static Map<String, Object> figure(String tool, LoadGenerator.Outcome o) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("tool", tool);
        f.put("throughputPerSecond", round(o.throughput()));
        f.put("ok", o.ok());
        f.put("errors", o.errors());
        f.put("p50Ms", round(o.percentileMillis(50)));
        f.put("p99Ms", round(o.percentileMillis(99)));
        f.put("p999Ms", round(o.percentileMillis(99.9)));
        f.put("maxMs", round(o.latencyMicros().getMaxValue() / 1000.0));
        return f;
    }

    void ceiling(String name, Map<String, Object> figure) {
        ceilings.put(name, figure);
    }

    void flowgate(String name, Map<String, Object> figure) {
        flowgate.put(name, figure);
    }

    void resource(String service, String key, Object value) {
        @SuppressWarnings("unchecked")
        Map<String, Object> entry =
                (Map<String, Object>) resources.computeIfAbsent(service, s -> new LinkedHashMap<>());
        entry.put(key, value);
    }

    /** One line of the table: a Flowgate figure beside its ceiling (either may be absent). */
    void compare(
            String figure, String unit, double value, @Nullable Double ceiling, @Nullable String target, String tools) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("figure", figure);
        c.put("unit", unit);
        c.put("flowgate", round(value));
        c.put("ceiling", ceiling == null ? null : round(ceiling));
        c.put("ratio", ceiling == null || ceiling == 0 ? null : round(value / ceiling));
        c.put("target", target);
        c.put("tools", tools);
        comparisons.add(c);
    }

    /** Writes {@code <stem>.json} and {@code <stem>.md} into {@code dir}; answers the JSON path. */
    Path write(Path dir, String stem) throws IOException {
        Files.createDirectories(dir);
        Path json = dir.resolve(stem + ".json");
        Files.writeString(json, JSON.writeValueAsString(root) + "\n");
        Files.writeString(dir.resolve(stem + ".md"), markdown());
        return json;
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("| figure | Flowgate | ceiling | ratio | target | measured with |\n");
        md.append("| --- | ---: | ---: | ---: | --- | --- |\n");
        for (Map<String, Object> c : comparisons) {
            md.append("| ")
                    .append(c.get("figure"))
                    .append(" (")
                    .append(c.get("unit"))
                    .append(") | ")
                    .append(c.get("flowgate"))
                    .append(" | ")
                    .append(c.get("ceiling") == null ? "" : c.get("ceiling"))
                    .append(" | ")
                    .append(c.get("ratio") == null ? "" : c.get("ratio"))
                    .append(" | ")
                    .append(c.get("target") == null ? "" : c.get("target"))
                    .append(" | ")
                    .append(c.get("tools"))
                    .append(" |\n");
        }
        md.append("\nMachine: ")
                .append(root.get("machine"))
                .append("\n\nResources: ")
                .append(resources)
                .append('\n');
        return md.toString();
    }

    static double round(double value) {
        return Double.parseDouble(String.format(Locale.ROOT, "%.3f", value));
    }
}
