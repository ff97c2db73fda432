package io.flowgate.bench;

import io.flowgate.issuer.DemoTenants;
import io.netty.handler.codec.http.HttpMethod;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import tools.jackson.databind.json.JsonMapper;

/**
 * One benchmark run: starts Kafka, the issuer and the three services as processes of their own,
 * measures the machine's ceilings (no Flowgate code) and Flowgate's paths side by side, and writes
 * {@code bench/results/<date>-<profile>.json} and {@code .md}. This JVM only generates load.
 *
 * <pre>java -cp ... io.flowgate.bench.Bench short|long [results folder]</pre>
 */
public final class Bench {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String OPEN = "open model, fixed arrival rate (Flowgate bench, Reactor Netty)";
    private static final String CLOSED = "closed loop, saturation (Flowgate bench, Reactor Netty)";
    private static final String API = "http://127.0.0.1:8080";
    /** api-service's health and metrics, on their own port. */
    private static final String API_MANAGEMENT = "http://127.0.0.1:9080";

    /** The webhook trigger phase: events a second, and subscriptions each event goes to. */
    private static final int TRIGGER_EVENTS = 100;

    private static final int TRIGGER_SUBSCRIPTIONS = 10;
    /** The polling trigger phase's background: tenants publishing, and their events a second in all. */
    private static final int NOISY_TENANTS = 50;

    private static final int NOISY_EVENTS = 500;
    private static final String SMALL_JSON = "{\"expression\":\"a + b\",\"document\":{\"a\":1,\"b\":2}}";

    private final Profile profile;
    private final Report report;
    private final Processes processes;
    private final Path data;
    private String hotMethods = "";
    private String dispatcherHotMethods = "";
    private String subscribeHotMethods = "";

    private Bench(Profile profile, Path data) throws IOException {
        this.profile = profile;
        this.data = data;
        this.processes = new Processes(data.resolve("logs"));
        this.report = new Report(
                profile.name(),
                machine(),
                Map.of(
                        "profile",
                        profile.toString(),
                        "services",
                        "one process each, JVM defaults, local single-node KRaft Kafka",
                        "topicPartitions",
                        6));
    }

    static void main(String[] args) throws Exception {
        Profile profile = Profile.named(args.length > 0 ? args[0] : "short");
        Path results = Path.of(args.length > 1 ? args[1] : "bench/results");
        Processes.requireFree(8080, 8081, 8082, 8090, 9080, 9092, 9093, 18080, 18081, 18082);
        Path data = Files.createTempDirectory("flowgate-bench");
        Bench bench = new Bench(profile, data);
        // An interrupted run (Ctrl+C) still stops the processes it started.
        Runtime.getRuntime().addShutdownHook(new Thread(bench.processes::close));
        try (bench.processes) {
            bench.run();
        }
        String stem = LocalDate.now() + "-" + profile.name();
        Path json = bench.report.write(results, stem);
        Files.writeString(results.resolve(stem + "-accept-hot-methods.txt"), bench.hotMethods);
        Files.writeString(results.resolve(stem + "-webhook-dispatcher-hot-methods.txt"), bench.dispatcherHotMethods);
        Files.writeString(results.resolve(stem + "-webhook-api-hot-methods.txt"), bench.subscribeHotMethods);
        System.out.println(bench.report.markdown());
        System.out.println("Written " + json + " (logs of the services in " + data.resolve("logs") + ")");
        System.exit(0);
    }

    private void run() throws Exception {
        File jar = devstackJar();
        var kafkaProcess = processes.start("kafka", Processes.devstack(jar, "kafka", data), "tcp://127.0.0.1:9092");
        processes.start(
                "issuer", Processes.devstack(jar, "issuer", data), "http://127.0.0.1:8090/common/discovery/v2.0/keys");
        String token = token();

        var bare = webfluxCeiling("bare", 18080, token);
        var jwt = webfluxCeiling("jwt", 18081, token);
        double kafka = kafkaCeiling();
        double webClient = webClientCeiling();

        var worker = processes.start(
                "worker", Processes.devstack(jar, "worker", data), "http://127.0.0.1:8081/actuator/health/readiness");
        var api = processes.start(
                "api", Processes.devstack(jar, "api", data), API_MANAGEMENT + "/actuator/health/readiness");
        var dispatcher = processes.start(
                "dispatcher",
                Processes.devstack(jar, "dispatcher", data),
                "http://127.0.0.1:8082/actuator/health/readiness");
        for (var s : List.of(worker, api, dispatcher)) {
            report.resource(s.name(), "startupToReadyMs", s.startupMillis());
            report.resource(s.name(), "rssIdleMb", s.rssMegabytes());
        }
        awaitCatalog(token);

        try (var load = new LoadGenerator(profile.inFlight())) {
            var accept = new LoadGenerator.Request(
                    HttpMethod.POST,
                    API + "/api/v1/operations/jsonata-transform",
                    Map.of(
                            "Authorization",
                            "Bearer " + token,
                            "Content-Type",
                            "application/json",
                            "Prefer",
                            "respond-async"),
                    SMALL_JSON);
            // Warm: the API is measured once its accept throughput is steady; the curve is the
            // warm-up figure (issue: 80 % of warm throughput within 30 s of ready).
            WarmUp warmUp =
                    load.warmUntilSteady(accept, profile.inFlight(), profile.warmWindow(), profile.maxWarmUp(), 202);
            report.flowgate("acceptWarmUp", warmUp.figure());
            report.compare(
                    "accept: from the first load to 80 % of warm throughput"
                            + (warmUp.steady() ? "" : " (never steady)"),
                    "s",
                    warmUp.timeTo(0.8).toSeconds(),
                    null,
                    "<= 30",
                    "closed loop, windows of " + profile.warmWindow().toSeconds() + " s; warm = "
                            + Math.round(warmUp.steadyThroughput()) + " req/s");

            AtomicLong peakApi = new AtomicLong();
            AtomicLong peakWorker = new AtomicLong();
            var sampler = Thread.ofPlatform().daemon().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peakApi.accumulateAndGet(api.rssMegabytes(), Math::max);
                    peakWorker.accumulateAndGet(worker.rssMegabytes(), Math::max);
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            Jfr recording = Jfr.start(api.process().pid(), data.resolve("accept.jfr"));
            var saturation = load.saturate(accept, profile.inFlight(), profile.saturation(), 202);
            hotMethods = recording.stopAndSummarize();
            sampler.interrupt();
            report.flowgate("acceptSaturation", Report.figure(CLOSED, saturation));
            report.resource("api", "rssUnderLoadMb", peakApi.get());
            report.resource("worker", "rssUnderLoadMb", peakWorker.get());
            report.compare(
                    "accept throughput vs bare WebFlux + JWT",
                    "req/s",
                    saturation.throughput(),
                    jwt.saturation().throughput(),
                    ">= 0.7",
                    CLOSED);
            report.compare(
                    "accept throughput vs bare WebFlux",
                    "req/s",
                    saturation.throughput(),
                    bare.saturation().throughput(),
                    null,
                    CLOSED);
            report.compare(
                    "accept: Kafka records written vs raw acks=all produce",
                    "records/s",
                    saturation.throughput() * 2,
                    kafka,
                    null,
                    "2 records per accepted job; raw: KafkaProducer, 500 B");

            awaitDrained();
            for (double share : profile.acceptLoads()) {
                int rate = Math.max(1, (int) Math.round(saturation.throughput() * share));
                var fixed = load.fixedRate(accept, rate, profile.fixedRate(), 202);
                report.flowgate("accept@" + rate, Report.figure(OPEN, fixed));
                String at = rate + "/s (" + Math.round(share * 100) + " % of capacity)";
                report.compare("accept p50 at " + at, "ms", fixed.percentileMillis(50), null, null, OPEN);
                report.compare("accept p99 at " + at, "ms", fixed.percentileMillis(99), null, null, OPEN);
                report.compare("accept p99.9 at " + at, "ms", fixed.percentileMillis(99.9), null, null, OPEN);
                awaitDrained();
            }

            pollFigures(load, token);
            endToEndFigures(load, token);
            noisyNeighbourFigures(load, token);
        }
        webhookFigures(token, List.of(api, worker, dispatcher, kafkaProcess));
        triggerFigures(token, List.of(api, worker, dispatcher, kafkaProcess));
        for (var s : List.of(worker, api, dispatcher)) {
            report.resource(s.name(), "rssAfterLoadMb", s.rssMegabytes());
        }
        report.ceiling(
                "webClientPost",
                Map.of("tool", "WebClient, 64 in flight, 500 B JSON", "throughputPerSecond", Report.round(webClient)));
        report.ceiling(
                "kafkaProduce",
                Map.of("tool", "KafkaProducer acks=all, idempotent, 500 B", "recordsPerSecond", Report.round(kafka)));
    }

    private record WebfluxCeiling(LoadGenerator.Outcome saturation) {}

    private WebfluxCeiling webfluxCeiling(String mode, int port, String token) throws Exception {
        var server = processes.start(
                "baseline-" + mode,
                Processes.java(
                        BaselineServer.class.getName(),
                        mode,
                        Integer.toString(port),
                        "http://127.0.0.1:8090/common/discovery/v2.0/keys",
                        "api://flowgate"),
                "tcp://127.0.0.1:" + port);
        try (var load = new LoadGenerator(profile.inFlight())) {
            var request = new LoadGenerator.Request(
                    HttpMethod.POST,
                    "http://127.0.0.1:" + port + "/accept",
                    Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json"),
                    SMALL_JSON);
            // Ceilings are measured warm too, or they compare a warm Flowgate with a cold baseline.
            WarmUp warmUp =
                    load.warmUntilSteady(request, profile.inFlight(), profile.warmWindow(), profile.maxWarmUp(), 202);
            report.ceiling("webflux-" + mode + "-warm-up", warmUp.figure());
            var saturation = load.saturate(request, profile.inFlight(), profile.saturation(), 202);
            report.ceiling("webflux-" + mode, Report.figure(CLOSED, saturation));
            return new WebfluxCeiling(saturation);
        } finally {
            processes.stop(server);
        }
    }

    private double kafkaCeiling() throws Exception {
        byte[] value = new byte[500];
        try (var admin = AdminClient.create(Map.of("bootstrap.servers", "127.0.0.1:9092"))) {
            admin.createTopics(List.of(new NewTopic("bench.ceiling", 6, (short) 1)))
                    .all()
                    .get();
        }
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        "127.0.0.1:9092",
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        true,
                        ProducerConfig.LINGER_MS_CONFIG,
                        5),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
            long start = System.nanoTime();
            for (int i = 0; i < profile.kafkaRecords(); i++) {
                producer.send(new ProducerRecord<>("bench.ceiling", value));
            }
            producer.flush();
            return profile.kafkaRecords() / ((System.nanoTime() - start) / 1e9);
        }
    }

    private double webClientCeiling() throws Exception {
        var receiver = processes.start(
                "baseline-receiver",
                Processes.java(BaselineServer.class.getName(), "receiver", "18082"),
                "tcp://127.0.0.1:18082");
        try {
            String body = "{\"payload\":\"" + "x".repeat(470) + "\"}";
            WebClient client = WebClient.create("http://127.0.0.1:18082");
            AtomicLong ok = new AtomicLong();
            long end = System.nanoTime()
                    + profile.warmUp().plus(profile.saturation()).toNanos();
            long measureFrom = System.nanoTime() + profile.warmUp().toNanos();
            AtomicLong counted = new AtomicLong();
            Flux.range(0, Integer.MAX_VALUE)
                    .takeWhile(i -> System.nanoTime() < end)
                    .flatMap(
                            i -> client.post()
                                    .uri("/hook")
                                    .header("Content-Type", "application/json")
                                    .bodyValue(body)
                                    .retrieve()
                                    .toBodilessEntity()
                                    .doOnSuccess(r -> {
                                        ok.incrementAndGet();
                                        if (System.nanoTime() >= measureFrom) {
                                            counted.incrementAndGet();
                                        }
                                    }),
                            64)
                    .blockLast(profile.warmUp().plus(profile.saturation()).plusSeconds(60));
            return counted.get() / (profile.saturation().toNanos() / 1e9);
        } finally {
            processes.stop(receiver);
        }
    }

    private void pollFigures(LoadGenerator load, String token) throws Exception {
        awaitDrained();
        String finished = submit(token, "jsonata-transform", SMALL_JSON);
        awaitStatus(token, finished, 200);
        String running = submit(token, "delay", "{\"seconds\":3600}");
        awaitStatus(token, running, 202);
        var headers = Map.of("Authorization", "Bearer " + token);
        var done = load.fixedRate(
                new LoadGenerator.Request(HttpMethod.GET, API + "/api/v1/jobs/" + finished, headers, null),
                profile.pollRate(),
                profile.fixedRate(),
                200);
        var pending = load.fixedRate(
                new LoadGenerator.Request(HttpMethod.GET, API + "/api/v1/jobs/" + running, headers, null),
                profile.pollRate(),
                profile.fixedRate(),
                202);
        report.flowgate("pollFinished@" + profile.pollRate(), Report.figure(OPEN, done));
        report.flowgate("pollRunning@" + profile.pollRate(), Report.figure(OPEN, pending));
        report.compare(
                "status poll p99, finished job, " + profile.pollRate() + "/s",
                "ms",
                done.percentileMillis(99),
                null,
                "< 5 ms",
                OPEN);
        report.compare(
                "status poll p99, running job, " + profile.pollRate() + "/s",
                "ms",
                pending.percentileMillis(99),
                null,
                "< 5 ms",
                OPEN);
        HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(API + "/api/v1/jobs/" + running))
                                .header("Authorization", "Bearer " + token)
                                .DELETE()
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
    }

    private void endToEndFigures(LoadGenerator load, String token) throws Exception {
        var sync = new LoadGenerator.Request(
                HttpMethod.POST,
                API + "/api/v1/operations/jsonata-transform",
                Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json", "Prefer", "wait=30"),
                SMALL_JSON);
        for (int rate : profile.endToEndRates()) {
            awaitDrained();
            var e2e = load.fixedRate(sync, rate, profile.fixedRate(), 200);
            report.flowgate("endToEnd@" + rate, Report.figure(OPEN, e2e));
            report.compare(
                    "standard action / end to end p50 at " + rate + " jobs/s",
                    "ms",
                    e2e.percentileMillis(50),
                    null,
                    null,
                    OPEN);
            report.compare(
                    "standard action / end to end p99 at " + rate + " jobs/s",
                    "ms",
                    e2e.percentileMillis(99),
                    null,
                    rate == 100 ? "< 50 ms" : null,
                    OPEN);
        }
    }

    /**
     * Fairness: a quiet tenant's synchronous JSONata calls at a fixed rate, alone and then while
     * another tenant keeps {@link #NOISY_IN_FLIGHT} one-second {@code delay} jobs running (the
     * standard plan's jobs-in-flight quota, each call waiting for its job). The worker gives a
     * tenant at most 16 of its 64 slots, so the quiet tenant's p99 should barely move.
     */
    private void noisyNeighbourFigures(LoadGenerator load, String quietToken) throws Exception {
        int rate = profile.endToEndRates().getFirst();
        var quiet = new LoadGenerator.Request(
                HttpMethod.POST,
                API + "/api/v1/operations/jsonata-transform",
                Map.of(
                        "Authorization",
                        "Bearer " + quietToken,
                        "Content-Type",
                        "application/json",
                        "Prefer",
                        "wait=30"),
                SMALL_JSON);
        awaitDrained();
        var alone = load.fixedRate(quiet, rate, profile.fixedRate(), 200);
        report.flowgate("quietTenantAlone@" + rate, Report.figure(OPEN, alone));

        var noisyRequest = new LoadGenerator.Request(
                HttpMethod.POST,
                API + "/api/v1/operations/delay",
                Map.of(
                        "Authorization",
                        "Bearer " + token(DemoTenants.FABRIKAM_CLIENT),
                        "Content-Type",
                        "application/json",
                        "Prefer",
                        "wait=30"),
                "{\"seconds\":1}");
        Duration noisyFor = profile.fixedRate().plus(profile.warmUp());
        try (var noisyLoad = new LoadGenerator(NOISY_IN_FLIGHT);
                var background = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var noisy = background.submit(() -> noisyLoad.saturate(noisyRequest, NOISY_IN_FLIGHT, noisyFor, 200));
            Thread.sleep(profile.warmUp().toMillis() / 2); // the neighbour's backlog builds up first
            var withNeighbour = load.fixedRate(quiet, rate, profile.fixedRate(), 200);
            var neighbour = noisy.get();
            report.flowgate("quietTenantWithNoisyNeighbour@" + rate, Report.figure(OPEN, withNeighbour));
            report.flowgate("noisyNeighbour", Report.figure(CLOSED, neighbour));
            String tool = OPEN + "; neighbour: " + NOISY_IN_FLIGHT + " delay jobs of 1 s in flight, closed loop";
            report.compare(
                    "quiet tenant p50 at " + rate + " jobs/s, with a noisy neighbour vs alone",
                    "ms",
                    withNeighbour.percentileMillis(50),
                    alone.percentileMillis(50),
                    null,
                    tool);
            report.compare(
                    "quiet tenant p99 at " + rate + " jobs/s, with a noisy neighbour vs alone",
                    "ms",
                    withNeighbour.percentileMillis(99),
                    alone.percentileMillis(99),
                    "<= 1.2",
                    tool);
        }
    }

    /** The noisy neighbour's jobs in flight: the standard plan's quota. */
    private static final int NOISY_IN_FLIGHT = 200;

    private void webhookFigures(String token, List<Processes.Started> services) throws Exception {
        String tool = "open model, subscribe at a fixed rate; receiver in the bench JVM answers 200 and"
                + " unsubscribes (Flowgate bench, JDK HttpClient and HttpServer)";
        try (var webhooks = new WebhookBench(API, token)) {
            // Warm-up, not measured: the dispatcher has been idle until now and its first seconds of work
            // (JIT, connection pools, breakers) would otherwise land in the first rate's figures.
            awaitDrained();
            webhooks.run(
                    "jsonata-transform", SMALL_JSON, profile.endToEndRates().getFirst(), profile.warmUp());
            for (int rate : profile.endToEndRates()) {
                awaitDrained();
                boolean last = rate == profile.endToEndRates().getLast();
                Processes.Started dispatcher = services.stream()
                        .filter(s -> s.name().equals("dispatcher"))
                        .findFirst()
                        .orElseThrow();
                Processes.Started api = services.stream()
                        .filter(s -> s.name().equals("api"))
                        .findFirst()
                        .orElseThrow();
                Jfr recording = last ? Jfr.start(dispatcher.process().pid(), data.resolve("webhook.jfr")) : null;
                Jfr apiRecording = last ? Jfr.start(api.process().pid(), data.resolve("subscribe.jfr")) : null;
                Map<String, Duration> cpuBefore = cpu(services);
                long wallBefore = System.nanoTime();
                var outcome = webhooks.run("jsonata-transform", SMALL_JSON, rate, profile.fixedRate());
                Map<String, Duration> cpuAfter = cpu(services);
                double wall = (System.nanoTime() - wallBefore) / 1e9;
                if (recording != null && apiRecording != null) {
                    dispatcherHotMethods = recording.stopAndSummarize();
                    subscribeHotMethods = apiRecording.stopAndSummarize();
                }
                Map<String, Object> figure = new LinkedHashMap<>();
                figure.put("tool", tool);
                figure.put("subscribed", outcome.subscribed());
                figure.put("delivered", outcome.delivered());
                figure.put("failedSubscribes", outcome.failedSubscribes());
                figure.put("subscribeToCallbackP50Ms", millis(outcome.subscribeToCallbackMicros(), 50));
                figure.put("subscribeToCallbackP99Ms", millis(outcome.subscribeToCallbackMicros(), 99));
                figure.put("subscribeAnswerP50Ms", millis(outcome.subscribeAnswerMicros(), 50));
                figure.put("subscribeAnswerP99Ms", millis(outcome.subscribeAnswerMicros(), 99));
                figure.put("jobEndToCallbackP50Ms", millis(outcome.jobEndToCallbackMicros(), 50));
                figure.put("jobEndToCallbackP99Ms", millis(outcome.jobEndToCallbackMicros(), 99));
                // Cores each process kept busy during the phase: on two cores, the sum shows how close
                // to the machine's limit the measurement ran.
                Map<String, Object> cores = new LinkedHashMap<>();
                cpuAfter.forEach((name, used) -> cores.put(
                        name, Report.round(used.minus(cpuBefore.get(name)).toNanos() / 1e9 / wall)));
                figure.put("coresBusy", cores);
                report.flowgate("webhookAction@" + rate, figure);
                report.compare(
                        "webhook action, subscribe to callback p50 at " + rate + "/s",
                        "ms",
                        millis(outcome.subscribeToCallbackMicros(), 50),
                        null,
                        null,
                        tool);
                report.compare(
                        "webhook action, subscribe to callback p99 at " + rate + "/s",
                        "ms",
                        millis(outcome.subscribeToCallbackMicros(), 99),
                        null,
                        null,
                        tool);
                report.compare(
                        "callback delivery (job end to receiver) p99 at " + rate + "/s",
                        "ms",
                        millis(outcome.jobEndToCallbackMicros(), 99),
                        null,
                        null,
                        tool);
                // Where a callback's time goes inside the dispatcher (means over the whole run so far).
                String dispatcherUrl = "http://127.0.0.1:8082";
                for (String timer : List.of(
                        "flowgate_dispatcher_queue_wait_seconds",
                        "flowgate_dispatcher_barrier_seconds",
                        "flowgate_dispatcher_attempt_latency_seconds")) {
                    double count = metricSum(dispatcherUrl, timer + "_count");
                    double mean = count == 0 ? 0 : metricSum(dispatcherUrl, timer + "_sum") / count * 1000;
                    figure.put(timer.replace("flowgate_dispatcher_", "") + "MeanMs", Report.round(mean));
                }
                // Subscribes per Kafka transaction (group commit), over the whole run so far.
                double batches = metricSum(API_MANAGEMENT, "flowgate_api_group_commit_size_count");
                figure.put(
                        "subscribesPerTransactionMean",
                        batches == 0
                                ? 0
                                : Report.round(
                                        metricSum(API_MANAGEMENT, "flowgate_api_group_commit_size_sum") / batches));
                figure.put(
                        "subscribesPerTransactionMax", metricSum(API_MANAGEMENT, "flowgate_api_group_commit_size_max"));
                report.compare(
                        "callbacks delivered of subscribed at " + rate + "/s",
                        "share",
                        outcome.subscribed() == 0 ? 0 : (double) outcome.delivered() / outcome.subscribed(),
                        null,
                        "1.0",
                        tool);
            }
        }
    }

    private static Map<String, Duration> cpu(List<Processes.Started> services) {
        Map<String, Duration> used = new LinkedHashMap<>();
        services.forEach(s -> used.put(s.name(), s.cpu()));
        used.put("bench", ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO));
        return used;
    }

    /**
     * The triggers: event published to webhook-trigger callback received, at {@link #TRIGGER_EVENTS}
     * events a second to {@link #TRIGGER_SUBSCRIPTIONS} subscriptions; and a quiet tenant's
     * polling-trigger polls alone and beside {@link #NOISY_TENANTS} tenants publishing events.
     */
    private void triggerFigures(String token, List<Processes.Started> services) throws Exception {
        String fanOutTool = "open model, events published at a fixed rate to one tenant with "
                + TRIGGER_SUBSCRIPTIONS + " webhook trigger subscriptions; receiver in the bench JVM (JDK"
                + " HttpClient and HttpServer)";
        try (var triggers = new TriggerBench(
                        API, token, token(DemoTenants.CONTOSO_EVENTS_CLIENT), data.resolve("issuer-key.json"));
                var load = new LoadGenerator(profile.inFlight())) {
            awaitDrained();
            triggers.fanOut(TRIGGER_EVENTS / 4, TRIGGER_SUBSCRIPTIONS, profile.warmUp()); // warm-up, not measured
            Map<String, Duration> cpuBefore = cpu(services);
            long wallBefore = System.nanoTime();
            var fanOut = triggers.fanOut(TRIGGER_EVENTS, TRIGGER_SUBSCRIPTIONS, profile.fixedRate());
            Map<String, Duration> cpuAfter = cpu(services);
            double wall = (System.nanoTime() - wallBefore) / 1e9;
            Map<String, Object> figure = new LinkedHashMap<>();
            figure.put("tool", fanOutTool);
            figure.put("eventsPublished", fanOut.published());
            figure.put("callbacksExpected", fanOut.expected());
            figure.put("callbacksDelivered", fanOut.delivered());
            figure.put("publishToCallbackP50Ms", millis(fanOut.publishToCallbackMicros(), 50));
            figure.put("publishToCallbackP99Ms", millis(fanOut.publishToCallbackMicros(), 99));
            Map<String, Object> cores = new LinkedHashMap<>();
            cpuAfter.forEach((name, used) ->
                    cores.put(name, Report.round(used.minus(cpuBefore.get(name)).toNanos() / 1e9 / wall)));
            figure.put("coresBusy", cores);
            String at = TRIGGER_EVENTS + " events/s x " + TRIGGER_SUBSCRIPTIONS + " subscriptions";
            report.flowgate("webhookTrigger@" + TRIGGER_EVENTS, figure);
            report.compare(
                    "webhook trigger, event published to callback p50, " + at,
                    "ms",
                    millis(fanOut.publishToCallbackMicros(), 50),
                    null,
                    null,
                    fanOutTool);
            report.compare(
                    "webhook trigger, event published to callback p99, " + at,
                    "ms",
                    millis(fanOut.publishToCallbackMicros(), 99),
                    null,
                    null,
                    fanOutTool);

            String quietToken =
                    triggers.flowsTokenOf(java.util.UUID.randomUUID().toString());
            var poll = new LoadGenerator.Request(
                    HttpMethod.GET,
                    triggers.firstPollLocation(quietToken),
                    Map.of("Authorization", "Bearer " + quietToken),
                    null);
            load.fixedRate(poll, profile.pollRate(), profile.warmUp(), 202); // warm-up, not measured
            var alone = load.fixedRate(poll, profile.pollRate(), profile.fixedRate(), 202);
            var publishing = triggers.publishers(NOISY_TENANTS, NOISY_EVENTS);
            LoadGenerator.Outcome beside;
            try {
                Thread.sleep(1000); // the publishers' load is on before the measurement starts
                beside = load.fixedRate(poll, profile.pollRate(), profile.fixedRate(), 202);
            } finally {
                publishing.set(false);
            }
            report.flowgate("triggerPollAlone@" + profile.pollRate(), Report.figure(OPEN, alone));
            report.flowgate("triggerPollBesidePublishers@" + profile.pollRate(), Report.figure(OPEN, beside));
            String pollTool =
                    OPEN + "; beside: " + NOISY_TENANTS + " tenants publishing " + NOISY_EVENTS + " events/s in all";
            report.compare(
                    "polling trigger poll p99 at " + profile.pollRate() + "/s, quiet tenant alone",
                    "ms",
                    alone.percentileMillis(99),
                    null,
                    null,
                    OPEN);
            report.compare(
                    "polling trigger poll p99 at " + profile.pollRate() + "/s, beside " + NOISY_TENANTS
                            + " publishing tenants",
                    "ms",
                    beside.percentileMillis(99),
                    null,
                    null,
                    pollTool);
        }
    }

    private static double millis(org.HdrHistogram.Histogram micros, double percentile) {
        return micros.getTotalCount() == 0 ? 0 : micros.getValueAtPercentile(percentile) / 1000.0;
    }

    /**
     * Waits until the workers have finished every job the API accepted, so one phase's backlog does
     * not load the next phase's measurement.
     */
    private void awaitDrained() throws Exception {
        for (int i = 0; i < 1800; i++) {
            double accepted = metricSum(API_MANAGEMENT, "flowgate_api_jobs_accepted_total");
            double finished = metricSum("http://127.0.0.1:8081", "flowgate_worker_jobs_seconds_count");
            if (finished >= accepted) {
                Thread.sleep(500); // the view applies the last statuses just after the worker writes them
                return;
            }
            Thread.sleep(100);
        }
        System.err.println("the workers did not catch up within 180 s; measuring anyway");
    }

    private static double metricSum(String base, String name) throws Exception {
        String page = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        return page.lines()
                .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    private String submit(String token, String operation, String body) throws Exception {
        var response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(API + "/api/v1/operations/" + operation))
                                .header("Authorization", "Bearer " + token)
                                .header("Content-Type", "application/json")
                                .header("Prefer", "respond-async")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body()).get("jobId").asString();
    }

    private void awaitStatus(String token, String jobId, int status) throws Exception {
        for (int i = 0; i < 200; i++) {
            var response = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(API + "/api/v1/jobs/" + jobId))
                                    .header("Authorization", "Bearer " + token)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == status
                    && (status != 202 || response.body().contains("RUNNING"))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("job " + jobId + " never answered " + status);
    }

    private void awaitCatalog(String token) throws Exception {
        for (int i = 0; i < 600; i++) {
            var response = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(API + "/api/v1/operations"))
                                    .header("Authorization", "Bearer " + token)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (response.body().contains("jsonata-transform") && response.body().contains("\"delay\"")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the operations never reached the catalog");
    }

    private static String token() throws Exception {
        return token(DemoTenants.CONTOSO_CLIENT);
    }

    private static String token(io.flowgate.issuer.IssuerClient client) throws Exception {
        var response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:8090/" + client.tenantId() + "/oauth2/v2.0/token"))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id="
                                        + client.clientId() + "&client_secret=" + client.clientSecret()
                                        + "&scope=api%3A%2F%2Fflowgate%2F.default"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body()).get("access_token").asString();
    }

    private static File devstackJar() {
        File[] jars = new File("devstack/target").listFiles((dir, name) -> name.endsWith("-exec.jar"));
        if (jars == null || jars.length == 0) {
            throw new IllegalStateException("devstack/target/*-exec.jar is missing: build first (bench/run.sh does)");
        }
        return jars[0];
    }

    static Map<String, Object> machine() {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put(
                "memoryMb",
                ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                                .getTotalMemorySize()
                        / (1024 * 1024));
        machine.put("jdk", System.getProperty("java.vm.name") + " " + Runtime.version());
        machine.put(
                "os",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"));
        return machine;
    }
}
