package io.flowgate.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chart, checked with Helm's own code (helm-java: lint and template, no helm binary) and the
 * rendered manifests read strictly into the Kubernetes API types ({@link StrictManifests}; the
 * fabric8 kubernetes-model of this module's pom, Kubernetes 1.34's API).
 */
class ChartTests {

    static final Path CHART = Path.of("flowgate").toAbsolutePath();

    private static final StrictCrds STRIMZI =
            new StrictCrds("v1", "/strimzi/043-Crd-kafkatopic.yaml", "/strimzi/044-Crd-kafkauser.yaml");

    /** The Kubernetes version the chart is rendered for: the fabric8 model's (Chart.yaml's kubeVersion holds it). */
    static final String KUBE_VERSION = "v1.34.0";

    private static String render(String valuesFile) {
        var template = new Helm(CHART)
                .template()
                .withName("flowgate")
                .withNamespace("flowgate")
                .withKubeVersion(KUBE_VERSION);
        if (valuesFile != null) {
            template.withValuesFile(CHART.resolve("tests").resolve(valuesFile));
        }
        return template.call();
    }

    @Test
    void aClusterOlderThanTheChartSupportsIsRefused() {
        assertThatThrownBy(() -> new Helm(CHART)
                        .template()
                        .withName("flowgate")
                        .withKubeVersion("v1.28.0")
                        .call())
                .hasMessageContaining("kubeVersion");
    }

    @Test
    void lintPassesStrictly() {
        var result = new Helm(CHART).lint().strict().call();
        assertThat(result.isFailed())
                .as(String.join("\n", result.getMessages()))
                .isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"(defaults)", "values-minimal.yaml", "values-full.yaml"})
    void everyRenderedManifestIsAValidKubernetesObject(String values) throws IOException {
        List<Map<String, Object>> manifests = StrictManifests.documents(render(values.startsWith("(") ? null : values));
        assertThat(manifests).isNotEmpty();
        List<String> problems = new ArrayList<>();
        manifests.forEach(m -> problems.addAll(STRIMZI.knows(m) ? STRIMZI.problems(m) : StrictManifests.problems(m)));
        assertThat(problems).isEmpty();
        assertThat(manifests).noneMatch(m -> "Secret".equals(m.get("kind")));
    }

    @Test
    void strimziTopicsAndUsersFollowTheirSchemasAndTheStrictReadOfThemIsAbleToFail() throws IOException {
        List<Map<String, Object>> manifests = StrictManifests.documents(render("values-full.yaml"));
        var topics = manifests.stream()
                .filter(m -> "KafkaTopic".equals(m.get("kind")))
                .toList();
        var users = manifests.stream()
                .filter(m -> "KafkaUser".equals(m.get("kind")))
                .toList();
        assertThat(topics)
                .hasSize(15)
                .allSatisfy(t -> assertThat(STRIMZI.problems(t)).isEmpty());
        assertThat(users)
                .hasSize(3)
                .allSatisfy(u -> assertThat(STRIMZI.problems(u)).isEmpty());
        assertThat(render(null)).doesNotContain("kind: KafkaTopic").doesNotContain("kind: KafkaUser");

        String broken = render("values-full.yaml")
                .replace("topicName:", "topicname:")
                .replace("patternType: prefix", "patternType: prefixed")
                .replace("type: scram-sha-512", "type: scram");
        List<String> problems = new ArrayList<>();
        StrictManifests.documents(broken).stream()
                .filter(STRIMZI::knows)
                .forEach(m -> problems.addAll(STRIMZI.problems(m)));
        assertThat(problems)
                .anyMatch(p -> p.contains("topicname"))
                .anyMatch(p -> p.contains("/resource/patternType"))
                .anyMatch(p -> p.contains("/authentication/type"));
    }

    @Test
    void withStrimziTheServicesCreateNoTopicAndLogInAsTheirKafkaUsers() throws IOException {
        List<Map<String, Object>> manifests = StrictManifests.documents(render("values-full.yaml"));
        assertThat(manifests)
                .filteredOn(m -> "ConfigMap".equals(m.get("kind")))
                .anySatisfy(m -> assertThat(m.toString()).contains("auto-create: false"));
        List<String> users = manifests.stream()
                .filter(m -> "KafkaUser".equals(m.get("kind")))
                .map(m -> (String) ((Map<?, ?>) m.get("metadata")).get("name"))
                .toList();
        for (Map<String, Object> manifest : manifests) {
            if (!"Deployment".equals(manifest.get("kind"))) {
                continue;
            }
            var container = StrictManifests.deployment(manifest)
                    .getSpec()
                    .getTemplate()
                    .getSpec()
                    .getContainers()
                    .getFirst();
            var username = container.getEnv().stream()
                    .filter(e -> e.getName().equals("KAFKA_USERNAME"))
                    .findFirst()
                    .orElseThrow();
            var password = container.getEnv().stream()
                    .filter(e -> e.getName().equals("KAFKA_PASSWORD"))
                    .findFirst()
                    .orElseThrow();
            assertThat(users).contains(username.getValue());
            assertThat(password.getValueFrom().getSecretKeyRef().getName()).isEqualTo(username.getValue());
            assertThat(password.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("password");
        }
        assertThat(render(null)).doesNotContain("auto-create");
    }

    @Test
    void theStrictReadIsAbleToFail() throws IOException {
        String deployment = render("values-minimal.yaml")
                .replace("readOnlyRootFilesystem: true", "readOnlyRootFileSystem: true")
                .replace("containerPort: 8080", "containerPort: \"8080\"");
        List<String> problems = new ArrayList<>();
        StrictManifests.documents(deployment).forEach(m -> problems.addAll(StrictManifests.problems(m)));
        assertThat(problems)
                .anyMatch(p -> p.contains("readOnlyRootFileSystem"))
                .anyMatch(p -> p.contains("containerPort") || p.contains("Integer") || p.contains("int"));
    }

    @Test
    void wrongValuesAreRefusedByTheSchema() {
        assertThatThrownBy(() -> render("values-broken.yaml"))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining("replicas")
                .hasMessageContaining("publicBaseUrl");
    }

    @Test
    void podsMeetTheRestrictedPodSecurityStandard() throws IOException {
        for (Map<String, Object> manifest : StrictManifests.documents(render("values-full.yaml"))) {
            if (!"Deployment".equals(manifest.get("kind"))) {
                continue;
            }
            var deployment = StrictManifests.deployment(manifest);
            var pod = deployment.getSpec().getTemplate().getSpec();
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
            assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
            assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
            assertThat(pod.getContainers()).allSatisfy(container -> {
                var security = container.getSecurityContext();
                assertThat(security.getAllowPrivilegeEscalation()).isFalse();
                assertThat(security.getReadOnlyRootFilesystem()).isTrue();
                assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
                assertThat(container.getEnv())
                        .as("secrets come from Secrets, never as literal values")
                        .filteredOn(e -> e.getName().contains("SECRET")
                                || e.getName().contains("PASSWORD")
                                || e.getName().contains("KEYSET"))
                        .allSatisfy(e -> assertThat(e.getValue()).isNull());
                assertThat(container.getStartupProbe()).isNotNull();
                // Spring refuses a management address without a management port of its own.
                if (container.getPorts().size() == 1) {
                    assertThat(container.getEnv()).noneMatch(e -> e.getName().equals("MANAGEMENT_SERVER_ADDRESS"));
                }
                // The services set spring.config.name, so the shared settings must be named as a file.
                String configMount = container.getVolumeMounts().stream()
                        .filter(m -> m.getName().equals("config"))
                        .findFirst()
                        .orElseThrow()
                        .getMountPath();
                assertThat(container.getEnv()).anySatisfy(e -> {
                    assertThat(e.getName()).isEqualTo("SPRING_CONFIG_ADDITIONAL_LOCATION");
                    assertThat(e.getValue()).isEqualTo("file:" + configMount);
                });
                assertThat(container.getReadinessProbe().getHttpGet().getPort().getStrVal())
                        .isEqualTo("management");
            });
        }
    }

    @Test
    void theApiServiceAndIngressDoNotExposeTheManagementPort() throws IOException {
        for (Map<String, Object> manifest : StrictManifests.documents(render("values-full.yaml"))) {
            String name = (String) ((Map<?, ?>) manifest.get("metadata")).get("name");
            if (manifest.get("kind").equals("Service") && name.endsWith("api-service")) {
                assertThat(manifest.toString()).contains("targetPort=http").doesNotContain("management");
            }
            if (manifest.get("kind").equals("Ingress")) {
                assertThat(manifest.toString()).contains("name=http").doesNotContain("management");
            }
        }
    }

    @Test
    void apiReplicasReachEachOtherOnTheInternalPortAndNobodyElseDoes() throws IOException {
        List<Map<String, Object>> full = StrictManifests.documents(render("values-full.yaml"));
        for (Map<String, Object> manifest : full) {
            String name = (String) ((Map<?, ?>) manifest.get("metadata")).get("name");
            if ("Deployment".equals(manifest.get("kind"))) {
                var container = StrictManifests.deployment(manifest)
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .getFirst();
                boolean api = name.endsWith("api-service");
                assertThat(container.getPorts())
                        .as(name)
                        .filteredOn(p -> "internal".equals(p.getName()))
                        .hasSize(api ? 1 : 0);
                if (api) {
                    assertThat(container.getEnv())
                            .anySatisfy(e -> {
                                assertThat(e.getName()).isEqualTo("FLOWGATE_API_REPLICA_ADVERTISEDHOST");
                                assertThat(e.getValue()).isEqualTo("$(POD_IP)");
                            })
                            .anySatisfy(e -> {
                                assertThat(e.getName()).isEqualTo("FLOWGATE_API_REPLICA_PORT");
                                assertThat(e.getValue()).isEqualTo("9081");
                            });
                }
            }
            if ("Service".equals(manifest.get("kind"))) {
                assertThat(manifest.toString())
                        .as(name)
                        .doesNotContain("internal")
                        .doesNotContain("9081");
            }
            if ("NetworkPolicy".equals(manifest.get("kind"))) {
                String policy = manifest.toString();
                if (name.endsWith("api-service")) {
                    // In from the API's own pods only, out to them only.
                    String ownPods = "podSelector={matchLabels={app.kubernetes.io/name=api-service,"
                            + " app.kubernetes.io/instance=flowgate}}";
                    assertThat(policy)
                            .contains("{from=[{" + ownPods + "}], ports=[{port=internal}]}")
                            .contains("{to=[{" + ownPods + "}], ports=[{port=9081, protocol=TCP}]}");
                } else {
                    assertThat(policy).as(name).doesNotContain("internal").doesNotContain("9081");
                }
            }
        }
        assertThat(full)
                .filteredOn(m -> "ConfigMap".equals(m.get("kind")))
                .anySatisfy(m -> assertThat(m.toString()).contains("num.standby.replicas: 1"));
    }

    @Test
    void spansAreExportedOnlyToAConfiguredCollectorWhichThePoliciesLetThrough() throws IOException {
        assertThat(render(null)).doesNotContain("otlp").contains("probability: 0.1");
        List<Map<String, Object>> full = StrictManifests.documents(render("values-full.yaml"));
        assertThat(full)
                .filteredOn(m -> "ConfigMap".equals(m.get("kind")))
                .anySatisfy(m -> assertThat(m.toString())
                        .contains("endpoint: \"http://otel-collector.monitoring:4318/v1/traces\"")
                        .contains("probability: 0.05"));
        assertThat(full)
                .filteredOn(m -> "NetworkPolicy".equals(m.get("kind")))
                .hasSize(3)
                .allSatisfy(m -> assertThat(m.toString()).contains("port=4318"));
    }

    @Test
    void theRulesInTheChartAreTheFilePromtoolChecks() throws IOException {
        String rendered = render(null);
        String rules = Files.readString(CHART.resolve("files/prometheus/flowgate-rules.yaml"));
        assertThat(rendered).contains("kind: PrometheusRule");
        assertThat(rules).contains("alert: FlowgateKafkaUnreachable");
        assertThat(rendered).contains("alert: FlowgateKafkaUnreachable").contains("FlowgateAvailabilityBudgetFast");
    }
}
