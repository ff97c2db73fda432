package io.flowgate.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flowgate.devstack.KafkaClusterNode;
import io.flowgate.devstack.LocalStack;
import io.flowgate.dispatcher.DispatcherApplication;
import io.flowgate.worker.WorkerApplication;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.streams.KafkaStreams;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Flowgate as it runs in production, on this machine: a three-broker Kafka cluster (replication 3,
 * two in sync, every producer acks=all), each broker a process of its own, and two replicas of every
 * service, one of each in a process of its own. Three tenants keep calling every pattern (standard,
 * asynchronous and webhook actions, polling and webhook triggers, event publishing) while an
 * api-service replica, a worker, a callback-dispatcher and a broker are killed outright (SIGKILL),
 * one after the other, and started again. Afterwards every accepted job has finished and answers its
 * result on both API replicas, every subscribed callback and every published event has arrived
 * (at-least-once, one {@code webhook-id} per message), nothing arrived for a subscription after its
 * unsubscribe answered, and no job poll answered anything but 200 or 202.
 */
class ClusterFaultSystemTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Duration DRAIN = Duration.ofSeconds(120);
    private static final String CLASSPATH = System.getProperty("java.class.path");

    private final LocalStack stack = SharedStack.get();
    private final Map<Integer, Integer> jobPolls = new TreeMap<>();
    private final Map<Integer, Integer> triggerPolls = new TreeMap<>();
    private final Map<String, Integer> refused = new TreeMap<>();

    /** An answer; status -1 when nobody answered (the replica is down). */
    private record Answer(int status, String body, @Nullable URI location) {
        JsonNode json() {
            return JSON.readTree(body);
        }
    }

    private static Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response =
                    HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(
                    response.statusCode(),
                    response.body(),
                    response.headers().firstValue("Location").map(URI::create).orElse(null));
        } catch (IOException e) {
            return new Answer(-1, "", null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Answer get(String base, String pathAndQuery, String token) {
        return send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).header("Authorization", "Bearer " + token));
    }

    private static Answer post(String base, String path, String token, String body, @Nullable String prefer) {
        var request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (prefer != null) {
            request.header("Prefer", prefer);
        }
        return send(request);
    }

    private static Answer delete(String base, String path, String token) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + token)
                .DELETE());
    }

    private static String pathAndQuery(URI location) {
        return location.getRawPath() + (location.getRawQuery() == null ? "" : "?" + location.getRawQuery());
    }

    /** A refused request must be one a flow retries: 503 from a replica, or no answer from a dead one. */
    private void refused(String what, Answer answer) {
        assertThat(answer.status()).as(what + ": " + answer.body()).isIn(-1, 503);
        refused.merge(what, 1, Integer::sum);
    }

    /** A service replica in a process of its own, killed and started again by the test. */
    private static final class Replica {
        private final String name;
        private final Supplier<List<String>> command;
        private final URI readiness;
        private @Nullable Process process;
        private int starts;

        Replica(String name, Supplier<List<String>> command, int healthPort) {
            this.name = name;
            this.command = command;
            this.readiness = URI.create("http://127.0.0.1:" + healthPort + "/actuator/health/readiness");
        }

        void start() throws IOException {
            starts++;
            progress("start " + name + " (" + starts + ")");
            process = new ProcessBuilder(command.get())
                    .redirectErrorStream(true)
                    .redirectOutput(new File("target/cluster-" + name + "-" + starts + ".log"))
                    .start();
        }

        void awaitReady() {
            await().atMost(Duration.ofSeconds(180))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> send(HttpRequest.newBuilder(readiness)).status() == 200);
        }

        void kill() throws InterruptedException {
            progress("kill -9 " + name);
            if (process != null) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** One tenant's flows: its tokens, the events it published, and what its triggers saw. */
    private static final class Tenant {
        final String flows;
        final String events;
        final String triggerPath;
        final String gonePath;
        final List<String> published = new ArrayList<>();
        final Set<String> polled = new LinkedHashSet<>();
        String nextPoll = "";
        String goneSubscription = "";
        int publishedBeforeGone = -1;

        Tenant(LocalStack stack, int index) {
            String id = Tokens.newTenantId();
            this.flows = Tokens.forTenant(stack, id);
            this.events = Tokens.forTenant(stack, id, "Flowgate.Events");
            this.triggerPath = "/cluster-trigger-" + index;
            this.gonePath = "/cluster-trigger-gone-" + index;
        }
    }

    /** A webhook action unsubscribed while its job still ran; nothing may arrive after {@code answered}. */
    private record Unsubscribed(String path, Instant answered) {}

    private static Process node(int id, Path data, String clusterId, List<Integer> brokers, List<Integer> controllers)
            throws IOException {
        return new ProcessBuilder(KafkaClusterNode.command(
                        CLASSPATH, id, data.resolve("node-" + id), clusterId, brokers, controllers))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(new File("target/cluster-kafka-" + id + ".log")))
                .start();
    }

    private static int streamsClients(ConfigurableApplicationContext api) {
        KafkaStreams streams = api.getBean(StreamsBuilderFactoryBean.class).getKafkaStreams();
        return streams == null || streams.state() != KafkaStreams.State.RUNNING
                ? 0
                : streams.metadataForAllStreamsClients().size();
    }

    @Test
    @Timeout(value = 12, unit = TimeUnit.MINUTES) // six JVMs start, and four of them again, on two cores
    void killingAnApiReplicaAWorkerADispatcherAndABrokerInTurnLosesNothing() throws Exception {
        List<Integer> brokers =
                List.of(LocalStack.freeLoopbackPort(), LocalStack.freeLoopbackPort(), LocalStack.freeLoopbackPort());
        List<Integer> controllers =
                List.of(LocalStack.freeLoopbackPort(), LocalStack.freeLoopbackPort(), LocalStack.freeLoopbackPort());
        String clusterId = Uuid.randomUuid().toString();
        Path data = Files.createTempDirectory("flowgate-cluster");
        String bootstrap = brokers.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
        List<Process> nodes = new ArrayList<>();
        List<ConfigurableApplicationContext> services = new ArrayList<>();
        List<Replica> replicas = new ArrayList<>();
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
            // Short sessions: each group notices a killed member within seconds.
            for (String client : List.of("consumer", "streams")) {
                settings.put("spring.kafka." + client + ".properties.session.timeout.ms", 10000);
                settings.put("spring.kafka." + client + ".properties.heartbeat.interval.ms", 2000);
            }

            // One replica of each service in this JVM, the other in a process of its own.
            services.add(LocalStack.startOtherWorker(bootstrap, settings));
            ConfigurableApplicationContext firstApi = stack.startOtherApi(bootstrap, settings);
            services.add(firstApi);
            services.add(stack.startOtherDispatcher(bootstrap, settings));
            int apiPort = LocalStack.freeLoopbackPort();
            int apiManagement = LocalStack.freeLoopbackPort();
            int apiReplicaPort = LocalStack.freeLoopbackPort();
            Replica api = new Replica(
                    "api",
                    () -> stack.apiProcessCommand(
                            CLASSPATH, bootstrap, apiPort, apiManagement, apiReplicaPort, settings),
                    apiManagement);
            Replica worker = background("worker", WorkerApplication.class, bootstrap, settings);
            Replica dispatcher = background("dispatcher", DispatcherApplication.class, bootstrap, settings);
            replicas.addAll(List.of(api, worker, dispatcher));
            for (Replica replica : replicas) {
                replica.start();
            }
            replicas.forEach(Replica::awaitReady);
            progress("every replica ready");
            await().atMost(Duration.ofSeconds(120)).until(() -> streamsClients(firstApi) == 2);
            List<String> apis = List.of("http://127.0.0.1:" + LocalStack.port(firstApi), "http://127.0.0.1:" + apiPort);

            List<Tenant> tenants = List.of(new Tenant(stack, 0), new Tenant(stack, 1), new Tenant(stack, 2));
            for (Tenant tenant : tenants) {
                for (String base : apis) {
                    await().atMost(Duration.ofSeconds(90))
                            .until(() -> Catalog.catalogHas(Http.testClient(base), tenant.flows));
                }
                // Each tenant's webhook trigger, one subscription to keep and one to remove midway, and
                // its polling trigger's first poll (which starts the cursor at "now").
                for (String path : List.of(tenant.triggerPath, tenant.gonePath)) {
                    Answer subscribed = post(
                            apis.getFirst(),
                            "/api/v1/triggers/event-received/subscriptions?type=chaos",
                            tenant.flows,
                            "{\"callbackUrl\":\"" + receiver.url(path, "x") + "\"}",
                            null);
                    assertThat(subscribed.status()).as(subscribed.body()).isEqualTo(201);
                    if (path.equals(tenant.gonePath)) {
                        tenant.goneSubscription = pathAndQuery(subscribed.location());
                    }
                }
                Answer first = get(
                        apis.getFirst(),
                        "/api/v1/triggers/event-received/poll?type=chaos&mode=batch&maxItems=50",
                        tenant.flows);
                assertThat(first.status()).as(first.body()).isEqualTo(202);
                tenant.nextPoll = pathAndQuery(first.location());
            }

            record Job(String id, String token) {}
            List<Job> jobs = new ArrayList<>();
            List<String> callbacks = new ArrayList<>();
            List<Unsubscribed> unsubscribed = new ArrayList<>();
            Map<String, String> toUnsubscribe = new LinkedHashMap<>(); // receiver path -> subscription
            int submitted = 0;
            int synchronous = 0;
            int rounds = 72;
            for (int round = 0; round < rounds; round++) {
                if (round % 8 == 0) {
                    progress("round " + round + ", " + jobs.size() + " jobs accepted");
                }
                switch (round) {
                    case 6 -> api.kill();
                    case 14, 30, 46 -> replicas.get((round - 14) / 16).start();
                    case 20 -> {
                        api.awaitReady();
                        await().atMost(Duration.ofSeconds(120)).until(() -> streamsClients(firstApi) == 2);
                        worker.kill();
                    }
                    case 36 -> {
                        worker.awaitReady();
                        dispatcher.kill();
                    }
                    case 52 -> {
                        dispatcher.awaitReady();
                        progress("kill -9 broker 2");
                        nodes.get(1).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                    case 60 -> nodes.set(1, node(2, data, clusterId, brokers, controllers));
                    default -> {}
                }
                Tenant tenant = tenants.get(round % tenants.size());
                String base = apis.get(round % 2);
                String other = apis.get((round + 1) % 2);

                submitted++;
                Answer job = post(base, "/api/v1/operations/delay", tenant.flows, "{\"seconds\":1}", "respond-async");
                if (job.status() == 202) {
                    jobs.add(new Job(job.json().get("jobId").asString(), tenant.flows));
                } else {
                    refused("async job", job);
                }
                if (round % 3 == 0) {
                    // A standard action: its answer is the result, or 202 when the wait runs out.
                    submitted++;
                    Answer done = post(
                            base,
                            "/api/v1/operations/jsonata-transform",
                            tenant.flows,
                            "{\"expression\":\"n * 2\",\"document\":{\"n\":" + round + "}}",
                            null);
                    if (done.status() == 200) {
                        assertThat(done.body()).contains(String.valueOf(round * 2));
                        synchronous++;
                    } else if (done.status() == 202) {
                        String location = done.location().getRawPath();
                        jobs.add(new Job(location.substring(location.lastIndexOf('/') + 1), tenant.flows));
                    } else {
                        refused("standard action", done);
                    }
                }
                if (round % 4 == 1) {
                    String path = "/cluster-action-" + round;
                    Answer subscription = subscribeAction(
                            base,
                            tenant,
                            "jsonata-transform",
                            receiver.url(path, "x"),
                            "{\"expression\":\"1\",\"document\":{}}");
                    if (subscription.status() == 201) {
                        callbacks.add(path);
                    } else {
                        refused("webhook action", subscription);
                    }
                }
                if (round % 8 == 3) {
                    // A long job whose subscription is removed (through the other replica) while it runs.
                    String path = "/cluster-unsubscribed-" + round;
                    Answer subscription =
                            subscribeAction(base, tenant, "delay", receiver.url(path, "x"), "{\"seconds\":40}");
                    if (subscription.status() == 201) {
                        toUnsubscribe.put(path, pathAndQuery(subscription.location()) + "#" + tenant.flows);
                    } else {
                        refused("webhook action", subscription);
                    }
                }
                for (var pending : List.copyOf(toUnsubscribe.entrySet())) {
                    String[] parts = pending.getValue().split("#", 2);
                    Answer gone = delete(other, parts[0], parts[1]);
                    if (gone.status() == 204) {
                        unsubscribed.add(new Unsubscribed(pending.getKey(), Instant.now()));
                        toUnsubscribe.remove(pending.getKey());
                    } else {
                        refused("unsubscribe", gone);
                    }
                }
                if (round == 40) {
                    // The second trigger subscriptions go; no event published after this may reach them.
                    for (Tenant each : tenants) {
                        Answer gone = delete(other, each.goneSubscription, each.flows);
                        assertThat(gone.status()).as(gone.body()).isEqualTo(204);
                        each.publishedBeforeGone = each.published.size();
                    }
                }

                Answer event = post(
                        base,
                        "/api/v1/events",
                        tenant.events,
                        "{\"type\":\"chaos\",\"data\":{\"round\":" + round + "}}",
                        null);
                if (event.status() == 202) {
                    tenant.published.add(event.json().get("eventId").asString());
                } else {
                    refused("event", event);
                }
                pollTrigger(tenant, base);
                for (Job recent : jobs.subList(Math.max(0, jobs.size() - 4), jobs.size())) {
                    for (String each : apis) {
                        int status = get(each, "/api/v1/jobs/" + recent.id(), recent.token())
                                .status();
                        if (status != -1) {
                            jobPolls.merge(status, 1, Integer::sum);
                        }
                    }
                }
            }
            nodes.forEach(node -> assertThat(node.isAlive()).isTrue());
            progress("load done; draining");

            // Every accepted job finished and answers its result on both replicas.
            for (Job job : jobs) {
                for (String base : apis) {
                    await().atMost(DRAIN)
                            .pollInterval(Duration.ofMillis(250))
                            .until(() -> get(base, "/api/v1/jobs/" + job.id(), job.token())
                                            .status()
                                    == 200);
                }
            }
            // Every webhook action called back, one webhook-id across its attempts.
            for (String path : callbacks) {
                List<Receiver.Call> calls = receiver.await(path, 1, DRAIN);
                assertThat(calls.stream().map(c -> c.header("webhook-id")).distinct())
                        .as(path)
                        .hasSize(1);
            }
            // Every published event reached the webhook trigger and the polling trigger.
            int events = 0;
            for (Tenant tenant : tenants) {
                events += tenant.published.size();
                await().atMost(DRAIN)
                        .pollInterval(Duration.ofMillis(250))
                        .until(() -> eventIds(receiver, tenant.triggerPath).containsAll(tenant.published));
                Map<String, Set<String>> webhookIds = new TreeMap<>();
                for (Receiver.Call call : receiver.calls(tenant.triggerPath)) {
                    webhookIds
                            .computeIfAbsent(
                                    JSON.readTree(call.body()).get("eventId").asString(), k -> new LinkedHashSet<>())
                            .add(call.header("webhook-id"));
                }
                assertThat(webhookIds.values())
                        .allSatisfy(ids -> assertThat(ids).hasSize(1));
                // A flow polling the trigger every 100 ms (its interval, compressed), alternating replicas,
                // at most 400 times.
                AtomicInteger polls = new AtomicInteger();
                await().atMost(DRAIN).pollInterval(Duration.ofMillis(100)).until(() -> {
                    int poll = polls.getAndIncrement();
                    assertThat(poll).as("polls until every event fired").isLessThan(400);
                    pollTrigger(tenant, apis.get(poll % 2));
                    return tenant.polled.containsAll(tenant.published);
                });
                // Nothing published after the unsubscribe answered reached the removed subscription.
                Set<String> late = new LinkedHashSet<>(
                        tenant.published.subList(tenant.publishedBeforeGone, tenant.published.size()));
                late.retainAll(eventIds(receiver, tenant.gonePath));
                assertThat(late)
                        .as("events delivered after their unsubscribe answered")
                        .isEmpty();
            }
            // Nothing reached a webhook action's receiver after its unsubscribe answered.
            for (Unsubscribed gone : unsubscribed) {
                assertThat(receiver.calls(gone.path()))
                        .as(gone.path())
                        .noneMatch(call -> call.at().isAfter(gone.answered()));
            }
            System.out.printf(
                    "cluster faults (api, worker, dispatcher, broker killed in turn): submitted %d, accepted async %d,"
                            + " standard actions answered %d, refused %s, finished %d, callbacks subscribed %d and"
                            + " delivered %d, unsubscribed mid-job %d with 0 late, events published %d and fired on both"
                            + " triggers, lost 0; job polls %s, trigger polls %s; view barriers of the in-process API"
                            + " %s%n",
                    submitted,
                    jobs.size(),
                    synchronous,
                    refused,
                    jobs.size(),
                    callbacks.size(),
                    callbacks.size(),
                    unsubscribed.size(),
                    events,
                    jobPolls,
                    triggerPolls,
                    barriers(firstApi));
            assertThat(jobPolls.keySet()).as("job poll answers by status").isSubsetOf(200, 202);
            assertThat(triggerPolls.keySet())
                    .as("trigger poll answers by status")
                    .isSubsetOf(200, 202, 503);
            assertThat(jobs).hasSizeGreaterThan(rounds / 2);
            assertThat(unsubscribed).isNotEmpty();
        } finally {
            for (int i = services.size() - 1; i >= 0; i--) {
                services.get(i).close();
            }
            for (Replica replica : replicas) {
                replica.kill();
            }
            nodes.forEach(Process::destroyForcibly);
        }
    }

    private static final long STARTED = System.nanoTime();

    private static void progress(String what) {
        System.out.printf("cluster faults, %d s: %s%n", (System.nanoTime() - STARTED) / 1_000_000_000, what);
    }

    private Replica background(String name, Class<?> application, String bootstrap, Map<String, Object> settings) {
        int port = LocalStack.freeLoopbackPort();
        Map<String, Object> all = new LinkedHashMap<>(settings);
        all.put("server.port", port);
        return new Replica(name, () -> stack.backgroundProcessCommand(application, CLASSPATH, bootstrap, all), port);
    }

    /** The read barriers an API replica waited for, by outcome (caught up, or timed out: answered 503). */
    private static Map<String, Double> barriers(ConfigurableApplicationContext api) {
        Map<String, Double> outcomes = new TreeMap<>();
        api.getBean(io.micrometer.core.instrument.MeterRegistry.class)
                .find("flowgate.api.view.barriers")
                .counters()
                .forEach(counter -> outcomes.put(counter.getId().getTag("outcome"), counter.count()));
        return outcomes;
    }

    /** Subscribes {@code callback} to a new job of {@code operation} on {@code input} (a webhook action). */
    private static Answer subscribeAction(String base, Tenant tenant, String operation, String callback, String input) {
        return post(
                base,
                "/api/v1/operations/" + operation + "/subscriptions",
                tenant.flows,
                "{\"callbackUrl\":\"" + callback + "\",\"input\":" + input + "}",
                null);
    }

    /** One poll of {@code tenant}'s polling trigger on {@code base}, following its Location. */
    private void pollTrigger(Tenant tenant, String base) {
        Answer answer = get(base, tenant.nextPoll, tenant.flows);
        if (answer.status() == -1) {
            return;
        }
        triggerPolls.merge(answer.status(), 1, Integer::sum);
        if (answer.status() == 200) {
            answer.json()
                    .get("value")
                    .forEach(item -> tenant.polled.add(item.get("eventId").asString()));
        }
        if ((answer.status() == 200 || answer.status() == 202) && answer.location() != null) {
            tenant.nextPoll = pathAndQuery(answer.location());
        }
    }

    private static Set<String> eventIds(Receiver receiver, String path) {
        return receiver.calls(path).stream()
                .map(call -> JSON.readTree(call.body()).get("eventId").asString())
                .collect(Collectors.toSet());
    }
}
