package io.flowgate.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flowgate.devstack.LocalStack;
import io.flowgate.issuer.DemoTenants;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import tools.jackson.databind.json.JsonMapper;

/**
 * One of two api-service replicas killed outright (SIGKILL: no leaving the group, no commit) while
 * flows keep submitting and polling, then started again: every accepted job finishes and answers its
 * result on both replicas, and no poll answered by a replica is a 404 or a 500.
 */
class ApiFailoverSystemTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final LocalStack stack = SharedStack.get();
    private final String contoso = Tokens.fetch(stack, DemoTenants.CONTOSO_CLIENT);
    private final int port = LocalStack.freeLoopbackPort();
    private final int managementPort = LocalStack.freeLoopbackPort();
    private final int replicaPort = LocalStack.freeLoopbackPort();
    private final String other = "http://127.0.0.1:" + port;

    /** Statuses of the polls a replica answered, by status code. */
    private final Map<Integer, Integer> polls = new TreeMap<>();

    private Process startReplica(String log) throws IOException {
        Process process = new ProcessBuilder(stack.apiProcessCommand(
                        System.getProperty("java.class.path"),
                        port,
                        managementPort,
                        replicaPort,
                        // A short session: the group notices the killed replica within seconds.
                        "--spring.kafka.streams.properties.session.timeout.ms=6000",
                        "--spring.kafka.streams.properties.heartbeat.interval.ms=1000"))
                .redirectErrorStream(true)
                .redirectOutput(new File("target/" + log))
                .start();
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500))
                .until(() ->
                        status(URI.create("http://127.0.0.1:" + managementPort + "/actuator/health/readiness"), null)
                                        == 200
                                && clients() == 2);
        return process;
    }

    private int clients() {
        KafkaStreams streams =
                stack.api().getBean(StreamsBuilderFactoryBean.class).getKafkaStreams();
        return streams == null || streams.state() != KafkaStreams.State.RUNNING
                ? 0
                : streams.metadataForAllStreamsClients().size();
    }

    /** The status of a GET, or -1 when nobody answered (the replica is down). */
    private static int status(URI uri, String token) {
        try {
            var request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String submit(String base, String input, boolean async) {
        try {
            var request = HttpRequest.newBuilder(URI.create(base + "/api/v1/operations/delay"))
                    .timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + contoso)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(input));
            if (async) {
                request.header("Prefer", "respond-async");
            }
            var response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isIn(200, 202);
            return response.statusCode() == 202
                    ? JSON.readTree(response.body()).get("jobId").asString()
                    : "finished";
        } catch (IOException e) {
            return null; // the replica is down: nothing was accepted
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void poll(String base, String job) {
        int status = status(URI.create(base + "/api/v1/jobs/" + job), contoso);
        if (status != -1) {
            polls.merge(status, 1, Integer::sum);
        }
    }

    @Test
    void killingAReplicaUnderLoadLosesNoJobAndNoPollAnswers404Or500() throws Exception {
        Process replica = startReplica("failover-replica-1.log");
        List<String> accepted = new ArrayList<>();
        int submitted = 0;
        int refused = 0;
        try {
            for (int round = 0; round < 45; round++) {
                if (round == 15) {
                    replica.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
                if (round == 30) {
                    replica = startReplica("failover-replica-2.log");
                }
                for (String base : List.of(stack.apiUrl(), other)) {
                    submitted++;
                    // Mostly async jobs; now and then a standard action, whose wait survives its owner.
                    String job = submit(base, "{\"seconds\":1}", round % 5 != 4);
                    if (job == null) {
                        refused++;
                    } else if (!job.equals("finished")) {
                        accepted.add(job);
                    }
                }
                for (String job : accepted.subList(Math.max(0, accepted.size() - 6), accepted.size())) {
                    poll(stack.apiUrl(), job);
                    poll(other, job);
                }
            }
            // Every accepted job finished and answers its result on both replicas.
            for (String job : accepted) {
                for (String base : List.of(stack.apiUrl(), other)) {
                    await().atMost(Duration.ofSeconds(60))
                            .pollInterval(Duration.ofMillis(200))
                            .until(() -> status(URI.create(base + "/api/v1/jobs/" + job), contoso) == 200);
                }
            }
        } finally {
            // Stopped gracefully (SIGTERM: it leaves the group), and the stack's replica owns every
            // partition again before the next test.
            replica.destroy();
            if (!replica.waitFor(30, TimeUnit.SECONDS)) {
                replica.destroyForcibly();
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> clients() == 1);
        }
        System.out.printf(
                "api fail-over: submitted %d, accepted async %d, refused while down %d, finished %d, lost 0;"
                        + " polls answered %s%n",
                submitted, accepted.size(), refused, accepted.size(), polls);
        assertThat(polls.keySet()).as("poll answers by status").isSubsetOf(200, 202);
        assertThat(refused).as("the killed replica was really down").isPositive();
    }
}
