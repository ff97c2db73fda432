package io.flowgate.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flowgate.devstack.LocalStack;
import io.flowgate.issuer.DemoTenants;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Every service reports readiness and Prometheus metrics, over HTTP. */
class ObservabilitySystemTests {

    private static LocalStack stack;

    @BeforeAll
    static void startStack() {
        stack = SharedStack.get();
    }

    private static WebTestClient service(org.springframework.context.ConfigurableApplicationContext context) {
        return Http.testClient("http://127.0.0.1:" + LocalStack.managementPort(context));
    }

    private static String metrics(org.springframework.context.ConfigurableApplicationContext context) {
        return service(context)
                .get()
                .uri("/actuator/prometheus")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
    }

    @Test
    void allThreeServicesAreReady() {
        for (var context : new org.springframework.context.ConfigurableApplicationContext[] {
            stack.api(), stack.worker(), stack.dispatcher()
        }) {
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> service(context)
                            .get()
                            .uri("/actuator/health/readiness")
                            .exchange()
                            .expectStatus()
                            .isOk()
                            .expectBody()
                            .jsonPath("$.status")
                            .isEqualTo("UP"));
        }
    }

    @Test
    void theApisPublicPortServesNoActuatorEndpoint() {
        assertThat(LocalStack.managementPort(stack.api())).isNotEqualTo(LocalStack.port(stack.api()));
        var publicPort = Http.testClient(stack.apiUrl());
        for (String path : new String[] {"/actuator/health", "/actuator/health/readiness", "/actuator/prometheus"}) {
            publicPort.get().uri(path).exchange().expectStatus().isNotFound();
        }
        // Any other path outside the API is refused before routing.
        for (String path : new String[] {"/actuator", "/actuator/env", "/actuator/heapdump"}) {
            publicPort.get().uri(path).exchange().expectStatus().isUnauthorized();
        }
        // ... while the management port serves them.
        assertThat(metrics(stack.api())).contains("flowgate_api_");
    }

    @Test
    void jobAndKafkaMetricsAreExported() {
        String token = Tokens.fetch(stack, DemoTenants.CONTOSO_CLIENT);
        var api = Http.testClient(stack.apiUrl());
        await().atMost(Duration.ofSeconds(60)).until(() -> Catalog.catalogHas(api, token));
        // Counters may be registered at zero: read them before, and check that this job moved them.
        double acceptedBefore = sum(metrics(stack.api()), "flowgate_api_jobs_accepted_total{", "jsonata-transform");
        double succeededBefore =
                sum(metrics(stack.worker()), "flowgate_worker_jobs_seconds_count{", "outcome=\"succeeded\"");
        api.post()
                .uri("/api/v1/operations/jsonata-transform")
                .headers(h -> h.setBearerAuth(token))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"expression\":\"1+1\",\"document\":{}}")
                .exchange()
                .expectStatus()
                .isOk();

        String apiMetrics = metrics(stack.api());
        assertThat(sum(apiMetrics, "flowgate_api_jobs_accepted_total{", "jsonata-transform"))
                .isEqualTo(acceptedBefore + 1);
        assertThat(apiMetrics).contains("http_server_requests_seconds_count{").contains("kafka_producer_");
        // Per tenant, for the dashboards' top tenants (a bounded tag: BoundedTenantTag).
        assertThat(apiMetrics)
                .containsPattern("flowgate_api_jobs_accepted_total\\{[^}]*tenant=\"" + DemoTenants.CONTOSO + "\"");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String workerMetrics = metrics(stack.worker());
            assertThat(sum(workerMetrics, "flowgate_worker_jobs_seconds_count{", "outcome=\"succeeded\""))
                    .isGreaterThanOrEqualTo(succeededBefore + 1);
            assertThat(workerMetrics).contains("flowgate_worker_jobs_running").contains("kafka_consumer_");
        });
        assertThat(metrics(stack.dispatcher())).contains("jvm_memory_used_bytes");
    }

    /**
     * Runs a webhook action whose receiver answers {@code statuses} in turn, and waits until it has
     * been called once per status.
     */
    private static void calledBack(String token, int... statuses) {
        try (Receiver receiver = new Receiver()) {
            receiver.script("/metrics-cb", statuses);
            Subscriptions.subscribed(
                    token,
                    "jsonata-transform",
                    receiver.url("/metrics-cb", "x"),
                    "{\"expression\":\"1\",\"document\":{}}");
            receiver.await("/metrics-cb", statuses.length, Duration.ofSeconds(30));
        }
    }

    /** The sum of the samples of {@code series} (name and opening brace) whose labels contain {@code label}. */
    private static double sum(String page, String series, String label) {
        return page.lines()
                .filter(line -> line.startsWith(series) && line.contains(label))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    @Test
    void deliveryMetricsAreExported() {
        String token = Tokens.fetch(stack, DemoTenants.CONTOSO_CLIENT);
        var api = Http.testClient(stack.apiUrl());
        await().atMost(Duration.ofSeconds(60)).until(() -> Catalog.catalogHas(api, token));
        // The first attempt fails, the retry is delivered.
        calledBack(token, 500, 200);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(metrics(stack.dispatcher()))
                        .contains("flowgate_dispatcher_deliveries_total{outcome=\"delivered\"")
                        .contains("flowgate_dispatcher_deliveries_total{outcome=\"retrying\"")
                        .contains("flowgate_dispatcher_attempt_latency_seconds_bucket{")
                        .contains("flowgate_dispatcher_retries_scheduled_total{")
                        .contains("flowgate_dispatcher_dead_letters_total")
                        .contains("flowgate_dispatcher_pending")
                        .contains("resilience4j_circuitbreaker_state{")
                        .contains("kafka_consumer_"));
    }

    /** PromQL words that are not metric names. */
    private static final Set<String> PROMQL = Set.of(
            "sum",
            "min",
            "max",
            "avg",
            "count",
            "rate",
            "irate",
            "increase",
            "deriv",
            "by",
            "without",
            "and",
            "or",
            "unless",
            "on",
            "ignoring",
            "group_left",
            "group_right",
            "histogram_quantile",
            "topk",
            "bottomk",
            "label_replace",
            "clamp_min",
            "clamp_max",
            "abs",
            "offset",
            "bool",
            "vector",
            "time",
            "delta",
            "idelta",
            "changes",
            "resets",
            "absent",
            "scalar",
            "sort",
            "sort_desc",
            "round",
            "le",
            "quantile",
            "stddev",
            "count_values",
            "avg_over_time",
            "max_over_time",
            "min_over_time",
            "sum_over_time",
            "e",
            "inf",
            "nan");

    /**
     * The metric names an expression reads: identifiers that are not PromQL words, label names (before
     * a matcher or inside by/without), recording rules (with a colon) or Prometheus' own {@code up}.
     */
    static Set<String> metricNames(String expression) {
        String withoutLabels = expression
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("(by|without|on|ignoring)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\"[^\"]*\"", " ");
        Set<String> names = new TreeSet<>();
        var matcher = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_:]*").matcher(withoutLabels);
        while (matcher.find()) {
            String name = matcher.group();
            if (!PROMQL.contains(name) && !name.contains(":") && !name.equals("up")) {
                names.add(name);
            }
        }
        return names;
    }

    /** Every PromQL expression of the chart: its rules and its dashboards' panels. */
    private static List<String> chartExpressions() throws IOException {
        Path chart = Path.of("").toAbsolutePath().resolveSibling("charts").resolve("flowgate");
        List<String> expressions = new ArrayList<>();
        Files.readAllLines(chart.resolve("files/prometheus/flowgate-rules.yaml")).stream()
                .map(String::strip)
                .filter(line -> line.startsWith("expr: "))
                .forEach(line -> expressions.add(line.substring("expr: ".length())));
        var json = tools.jackson.databind.json.JsonMapper.builder().build();
        try (var dashboards = Files.list(chart.resolve("files/dashboards"))) {
            for (Path dashboard : dashboards.toList()) {
                json.readTree(dashboard.toFile()).findValues("expr").forEach(e -> expressions.add(e.asString()));
            }
        }
        return expressions;
    }

    @Test
    void everyMetricTheChartsRulesAndDashboardsReadIsExposed() throws IOException {
        assertThat(metricNames("sum by (service) (rate(a_total{x=\"b\"}[5m])) / ignoring(le) b_seconds_count > 0"))
                .containsExactlyInAnyOrder("a_total", "b_seconds_count");
        // Make every kind of meter exist: a job waited for, an async job polled, a callback delivered.
        String token = Tokens.fetch(stack, DemoTenants.CONTOSO_CLIENT);
        var api = Http.testClient(stack.apiUrl());
        await().atMost(Duration.ofSeconds(60)).until(() -> Catalog.catalogHas(api, token));
        String location = api.post()
                .uri("/api/v1/operations/jsonata-transform")
                .headers(h -> h.setBearerAuth(token))
                .header("Prefer", "respond-async")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"expression\":\"1+1\",\"document\":{}}")
                .exchange()
                .expectStatus()
                .isAccepted()
                .returnResult(String.class)
                .getResponseHeaders()
                .getLocation()
                .toString();
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> api.get()
                        .uri(location)
                        .headers(h -> h.setBearerAuth(token))
                        .exchange()
                        .expectStatus()
                        .isOk());
        calledBack(token, 200);
        Set<String> used = new TreeSet<>();
        chartExpressions().forEach(e -> used.addAll(metricNames(e)));
        assertThat(used).contains("http_server_requests_seconds_bucket", "flowgate_dispatcher_deliveries_total");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Set<String> exposed = new HashSet<>();
            for (var context : new org.springframework.context.ConfigurableApplicationContext[] {
                stack.api(), stack.worker(), stack.dispatcher()
            }) {
                metrics(context)
                        .lines()
                        .filter(line -> !line.startsWith("#") && !line.isBlank())
                        .forEach(line -> exposed.add(line.split("[{ ]", 2)[0]));
            }
            assertThat(exposed)
                    .as("metrics the chart's rules and dashboards read")
                    .containsAll(used);
        });
    }
}
