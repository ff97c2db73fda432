package io.flowgate.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flowgate.devstack.KafkaClusterNode;
import io.flowgate.devstack.LocalStack;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * Flowgate on a three-broker Kafka cluster (replication 3, two in sync, every producer acks=all),
 * each broker a process of its own, with two api-service replicas and two workers: one broker is
 * killed outright (SIGKILL) under load, then started again. Every job Flowgate acknowledged
 * finishes and answers its result on both replicas, every acknowledged webhook subscription is
 * called back, and no poll answers 404 or 500.
 */
class BrokerLossSystemTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Map<Integer, Integer> polls = new TreeMap<>();

    private static int status(URI uri, String token) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(uri)
                                    .timeout(Duration.ofSeconds(30))
                                    .header("Authorization", "Bearer " + token)
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** POSTs {@code body} to {@code path}; the answer's status and body ({@code -1} if nobody answered). */
    private static Map.Entry<Integer, String> post(String base, String path, String token, String body, String prefer) {
        try {
            var request = HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            if (prefer != null) {
                request.header("Prefer", prefer);
            }
            var response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return Map.entry(response.statusCode(), response.body());
        } catch (java.io.IOException e) {
            return Map.entry(-1, "");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Process node(int id, Path data, String clusterId, List<Integer> brokers, List<Integer> controllers)
            throws java.io.IOException {
        return new ProcessBuilder(KafkaClusterNode.command(
                        System.getProperty("java.class.path"),
                        id,
                        data.resolve("node-" + id),
                        clusterId,
                        brokers,
                        controllers))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(new File("target/kafka-node-" + id + ".log")))
                .start();
    }

    @Test
    void losingOneOfThreeBrokersUnderLoadLosesNothingAcknowledged() throws Exception {
        LocalStack stack = SharedStack.get();
        List<Integer> brokers =
                List.of(LocalStack.freeLoopbackPort(), LocalStack.freeLoopbackPort(), LocalStack.freeLoopbackPort());
        List<Integer> controllers =
                List.of(LocalStack.freeLoopbackPort(), LocalStack.freeLoopbackPort(), LocalStack.freeLoopbackPort());
        String clusterId = Uuid.randomUuid().toString();
        Path data = Files.createTempDirectory("flowgate-cluster");
        String bootstrap =
                String.join(",", brokers.stream().map(p -> "127.0.0.1:" + p).toList());
        List<Process> nodes = new ArrayList<>();
        List<ConfigurableApplicationContext> services = new ArrayList<>();
        try (Receiver receiver = new Receiver()) {
            for (int id = 1; id <= 3; id++) {
                nodes.add(node(id, data, clusterId, brokers, controllers));
            }
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                await().atMost(Duration.ofSeconds(120))
                        .ignoreExceptions()
                        .until(() -> admin.describeCluster()
                                        .nodes()
                                        .get(5, TimeUnit.SECONDS)
                                        .size()
                                == 3);
            }
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("flowgate.kafka.replication-factor", 3);
            settings.put("flowgate.kafka.min-insync-replicas", 2);
            settings.put("spring.kafka.streams.replication-factor", 3);
            settings.put("spring.kafka.streams.properties.topic.min.insync.replicas", 2);
            settings.put("spring.kafka.streams.application-id", "flowgate-api-cluster");
            settings.put("flowgate.tenants.onboarding", "open");
            services.add(LocalStack.startOtherWorker(bootstrap, settings));
            services.add(LocalStack.startOtherWorker(bootstrap, settings));
            ConfigurableApplicationContext first = stack.startOtherApi(bootstrap, settings);
            services.add(first);
            ConfigurableApplicationContext second = stack.startOtherApi(bootstrap, settings);
            services.add(second);
            services.add(stack.startOtherDispatcher(bootstrap, settings));
            List<String> apis = List.of(
                    "http://127.0.0.1:" + LocalStack.port(first), "http://127.0.0.1:" + LocalStack.port(second));
            String flows = Tokens.forTenant(stack, Tokens.newTenantId());
            for (String api : apis) {
                await().atMost(Duration.ofSeconds(90)).until(() -> Catalog.catalogHas(Http.testClient(api), flows));
            }

            List<String> jobs = new ArrayList<>();
            List<String> callbacks = new ArrayList<>();
            int submitted = 0;
            int refused = 0;
            for (int round = 0; round < 40; round++) {
                if (round == 12) {
                    nodes.get(1).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
                if (round == 28) {
                    nodes.set(1, node(2, data, clusterId, brokers, controllers));
                }
                String api = apis.get(round % 2);
                submitted++;
                var job = post(api, "/api/v1/operations/delay", flows, "{\"seconds\":1}", "respond-async");
                if (job.getKey() == 202) {
                    jobs.add(JSON.readTree(job.getValue()).get("jobId").asString());
                } else {
                    assertThat(job.getKey()).as(job.getValue()).isEqualTo(503); // refused, retryable
                    refused++;
                }
                if (round % 4 == 0) {
                    String path = "/broker-loss-" + round;
                    var subscription = post(
                            api,
                            "/api/v1/operations/jsonata-transform/subscriptions",
                            flows,
                            "{\"callbackUrl\":\"" + receiver.url(path, "x")
                                    + "\",\"input\":{\"expression\":\"1\",\"document\":{}}}",
                            null);
                    if (subscription.getKey() == 201) {
                        callbacks.add(path);
                    } else {
                        assertThat(subscription.getKey())
                                .as(subscription.getValue())
                                .isEqualTo(503);
                    }
                }
                for (String id : jobs.subList(Math.max(0, jobs.size() - 4), jobs.size())) {
                    for (String base : apis) {
                        polls.merge(status(URI.create(base + "/api/v1/jobs/" + id), flows), 1, Integer::sum);
                    }
                }
            }
            for (String id : jobs) {
                for (String base : apis) {
                    await().atMost(Duration.ofSeconds(90))
                            .pollInterval(Duration.ofMillis(250))
                            .until(() -> status(URI.create(base + "/api/v1/jobs/" + id), flows) == 200);
                }
            }
            for (String path : callbacks) {
                receiver.await(path, 1, Duration.ofSeconds(90));
            }
            System.out.printf(
                    "broker loss: submitted %d, accepted %d, refused while the cluster recovered %d, finished %d,"
                            + " callbacks subscribed %d and delivered %d, lost 0; polls answered %s%n",
                    submitted, jobs.size(), refused, jobs.size(), callbacks.size(), callbacks.size(), polls);
            assertThat(polls.keySet()).as("poll answers by status").isSubsetOf(200, 202);
            assertThat(jobs).hasSizeGreaterThan(submitted / 2);
        } finally {
            for (int i = services.size() - 1; i >= 0; i--) {
                services.get(i).close();
            }
            nodes.forEach(Process::destroyForcibly);
        }
    }
}
