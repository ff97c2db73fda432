package io.flowgate.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chart's Prometheus rules and dashboards, checked by Prometheus' own promtool (Debian's
 * prometheus package; .ci/run installs it and sets FLOWGATE_REQUIRE_PROMTOOL, so CI never skips):
 * the rules parse, every alert has a unit test that passes, and every dashboard query parses.
 */
class PrometheusRulesTests {

    private static final Path RULES = ChartTests.CHART.resolve("files/prometheus/flowgate-rules.yaml");

    @BeforeAll
    static void promtoolIsThere() {
        boolean found = System.getenv("PATH") != null
                && java.util.Arrays.stream(System.getenv("PATH").split(java.io.File.pathSeparator))
                        .anyMatch(dir -> Files.isExecutable(Path.of(dir, "promtool")));
        if (!found && System.getenv("FLOWGATE_REQUIRE_PROMTOOL") != null) {
            throw new AssertionError("promtool is required here: apt-get install prometheus");
        }
        Assumptions.assumeTrue(found, "promtool is not installed (apt-get install prometheus): rules not checked here");
    }

    private static String promtool(Path directory, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as(output).isZero();
        return output;
    }

    @Test
    void theRulesParse() throws Exception {
        assertThat(promtool(
                        RULES.getParent(), "check", "rules", RULES.getFileName().toString()))
                .contains("SUCCESS");
    }

    @Test
    void everyAlertHasAUnitTestAndTheyPass() throws Exception {
        Path tests = ChartTests.CHART.resolve("tests/prometheus/flowgate-rules-tests.yaml");
        List<String> alerts = Files.readAllLines(RULES).stream()
                .map(String::strip)
                .filter(l -> l.startsWith("- alert: "))
                .map(l -> l.substring("- alert: ".length()))
                .toList();
        String testText = Files.readString(tests);
        assertThat(alerts)
                .hasSizeGreaterThan(10)
                .allSatisfy(alert ->
                        assertThat(testText).as("a promtool test for " + alert).contains("alertname: " + alert + "\n"));
        assertThat(promtool(
                        tests.getParent(), "test", "rules", tests.getFileName().toString()))
                .contains("SUCCESS");
    }

    @Test
    void everyAlertHasARunbook() throws IOException {
        Path runbooks = ChartTests.CHART.getParent().getParent().resolve("docs/runbooks");
        Files.readAllLines(RULES).stream()
                .map(String::strip)
                .filter(l -> l.startsWith("- alert: "))
                .map(l -> l.substring("- alert: ".length()))
                .forEach(alert -> assertThat(runbooks.resolve(alert + ".md")).exists());
    }

    @Test
    void everyDashboardQueryParses(@org.junit.jupiter.api.io.TempDir Path temp) throws Exception {
        // promtool parses expressions in rule files: each panel query becomes a recording rule.
        var json = new ObjectMapper();
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboards\n    rules:\n");
        int count = 0;
        try (var dashboards = Files.list(ChartTests.CHART.resolve("files/dashboards"))) {
            for (Path dashboard : dashboards.toList()) {
                for (var expr : json.readTree(dashboard.toFile()).findValues("expr")) {
                    rules.append("      - record: dashboard:query")
                            .append(count++)
                            .append("\n        expr: '")
                            .append(expr.asText().replace("'", "''"))
                            .append("'\n");
                }
            }
        }
        assertThat(count).isGreaterThan(10);
        Files.writeString(temp.resolve("dashboards.yaml"), rules);
        promtool(temp, "check", "rules", "dashboards.yaml");
    }
}
