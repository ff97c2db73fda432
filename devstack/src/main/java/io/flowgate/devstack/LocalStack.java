package io.flowgate.devstack;

import io.flowgate.api.ApiApplication;
import io.flowgate.dispatcher.DispatcherApplication;
import io.flowgate.issuer.DemoTenants;
import io.flowgate.issuer.LocalIssuer;
import io.flowgate.worker.WorkerApplication;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * Flowgate in one JVM, for tests: an embedded KRaft Kafka broker (temporary data), the Entra ID
 * look-alike issuer, and api-service, worker-service and callback-dispatcher, each in its own Spring
 * context, so a test can stop and restart single services. The README's stack ({@link DevStack})
 * runs the same pieces as separate processes instead.
 */
public final class LocalStack implements AutoCloseable {

    /** The audience (app id URI) the stack's tokens are issued for and api-service accepts. */
    public static final String AUDIENCE = ServiceSettings.AUDIENCE;

    /**
     * Ports of the stack; 0 picks a free one.
     *
     * @param kafka the broker's port
     * @param issuer the token issuer's port
     * @param api api-service's port
     * @param worker worker-service's (actuator) port
     * @param dispatcher callback-dispatcher's (actuator) port
     * @param partitions partitions of every topic
     */
    public record Ports(int kafka, int issuer, int api, int worker, int dispatcher, int partitions) {

        /** Free ports, for tests. */
        public static Ports random() {
            return new Ports(0, 0, 0, 0, 0, 3);
        }
    }

    private final Ports ports;
    private final Map<String, Object> overrides;
    private final EmbeddedKafkaKraftBroker broker;
    private final LocalIssuer issuer;
    private final List<ConfigurableApplicationContext> others = new ArrayList<>();
    private @Nullable ConfigurableApplicationContext api;
    private int apiPort;
    private int apiReplicaPort;
    private @Nullable ConfigurableApplicationContext worker;
    private @Nullable ConfigurableApplicationContext dispatcher;

    private final Map<String, Object> webhooks = ServiceSettings.webhooks();

    /** Starts the broker and the token issuer; the services are started one by one. */
    private LocalStack(Ports ports, Map<String, Object> overrides) {
        this.ports = ports;
        this.overrides = overrides;
        this.broker = (EmbeddedKafkaKraftBroker) new EmbeddedKafkaKraftBroker(1, ports.partitions())
                .kafkaPorts(ports.kafka())
                .brokerProperties(Map.of(
                        "transaction.state.log.replication.factor", "1",
                        "transaction.state.log.min.isr", "1",
                        "offsets.topic.replication.factor", "1",
                        "group.initial.rebalance.delay.ms", "0"));
        broker.afterPropertiesSet();
        this.issuer = LocalIssuer.start(ports.issuer(), DemoTenants.clients());
    }

    /**
     * Starts everything.
     *
     * @param overrides extra properties for all three services
     */
    public static LocalStack start(Ports ports, Map<String, Object> overrides) {
        LocalStack stack = new LocalStack(ports, overrides);
        stack.startWorker();
        stack.startApi();
        stack.startDispatcher();
        return stack;
    }

    /** The broker's bootstrap servers. */
    public String bootstrapServers() {
        return broker.getBrokersAsString();
    }

    /** The token issuer. */
    public LocalIssuer issuer() {
        return issuer;
    }

    /** api-service's base URL. */
    public String apiUrl() {
        return "http://127.0.0.1:" + port(api);
    }

    /** Starts api-service (again), on the same port as before. */
    public void startApi() {
        if (apiPort == 0) {
            apiPort = ports.api() == 0 ? freePort() : ports.api();
            apiReplicaPort = freePort();
        }
        var settings = new LinkedHashMap<>(ServiceSettings.api(
                bootstrapServers(), apiPort, 0, apiReplicaPort, ports.partitions(), issuer.baseUrl()));
        settings.putAll(webhooks);
        api = run(ApiApplication.builder(), settings);
    }

    /** Stops api-service. */
    public void stopApi() {
        if (api != null) {
            api.close();
            api = null;
        }
    }

    /** Starts worker-service (again). */
    public void startWorker() {
        worker = run(
                WorkerApplication.builder(),
                ServiceSettings.background(bootstrapServers(), ports.worker(), ports.partitions()));
    }

    /**
     * The command line of a worker-service in a process of its own on this stack's Kafka, for tests
     * that kill a worker outright. It runs from {@code classpath} on the current JVM's binary.
     *
     * @param extraArguments further {@code --name=value} settings
     */
    public List<String> workerProcessCommand(String classpath, String... extraArguments) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("server.port", 0);
        List<String> command =
                backgroundProcessCommand(WorkerApplication.class, classpath, bootstrapServers(), settings);
        command.addAll(List.of(extraArguments));
        return command;
    }

    /**
     * The command line of a worker-service or callback-dispatcher ({@code application}) in a process of
     * its own on {@code bootstrapServers}, with the stack's settings (webhook keys included) and {@code
     * settings} on top, for tests that kill a replica outright. It runs from {@code classpath} on the
     * current JVM's binary; its health and metrics are on {@code server.port} (set it in {@code
     * settings} to know where).
     */
    public List<String> backgroundProcessCommand(
            Class<?> application, String classpath, String bootstrapServers, Map<String, Object> settings) {
        Map<String, Object> all =
                new LinkedHashMap<>(ServiceSettings.background(bootstrapServers, 0, ports.partitions()));
        all.putAll(webhooks);
        all.putAll(overrides);
        all.putAll(settings);
        return processCommand(application, classpath, all);
    }

    private static List<String> processCommand(Class<?> application, String classpath, Map<String, Object> settings) {
        // Test replicas are started while everything else runs on two cores: C1 alone and the serial
        // collector start one in a fraction of the CPU time (and run it slower, which tests can afford).
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                classpath,
                application.getName()));
        command.addAll(List.of(ServiceSettings.asArguments(settings)));
        return command;
    }

    /**
     * The command line of another api-service replica in a process of its own (same Kafka Streams
     * application as the stack's, so the two split the views), for tests that kill a replica
     * outright. It runs from {@code classpath} on the current JVM's binary.
     *
     * @param port its public port
     * @param managementPort its health and metrics port
     * @param replicaPort its internal port, for the other replicas
     * @param extraArguments further {@code --name=value} settings
     */
    public List<String> apiProcessCommand(
            String classpath, int port, int managementPort, int replicaPort, String... extraArguments) {
        List<String> command =
                apiProcessCommand(classpath, bootstrapServers(), port, managementPort, replicaPort, Map.of());
        command.addAll(List.of(extraArguments));
        return command;
    }

    /**
     * The same on {@code bootstrapServers}, with {@code settings} on top of the stack's (its own {@code
     * spring.kafka.streams.application-id} makes it a replica of another deployment).
     */
    public List<String> apiProcessCommand(
            String classpath,
            String bootstrapServers,
            int port,
            int managementPort,
            int replicaPort,
            Map<String, Object> settings) {
        Map<String, Object> all = new LinkedHashMap<>(ServiceSettings.api(
                bootstrapServers, port, managementPort, replicaPort, ports.partitions(), issuer.baseUrl()));
        all.putAll(webhooks);
        all.putAll(overrides);
        all.putAll(settings);
        return processCommand(ApiApplication.class, classpath, all);
    }

    /** A free port on the loopback address. */
    public static int freeLoopbackPort() {
        return freePort();
    }

    /** Stops callback-dispatcher. */
    public void stopDispatcher() {
        if (dispatcher != null) {
            dispatcher.close();
            dispatcher = null;
        }
    }

    /** Stops worker-service, as a deployment would; its unfinished jobs run again. */
    public void stopWorker() {
        if (worker != null) {
            worker.close();
            worker = null;
        }
    }

    /** Starts callback-dispatcher. */
    public void startDispatcher() {
        var settings = new LinkedHashMap<>(
                ServiceSettings.background(bootstrapServers(), ports.dispatcher(), ports.partitions()));
        settings.putAll(webhooks);
        dispatcher = run(DispatcherApplication.builder(), settings);
    }

    /**
     * Starts another api-service on {@code bootstrapServers} with {@code settings} on top of the
     * stack's: a second replica of the stack's api-service (they split the views' partitions between
     * them and read each other's keys on their internal ports), or, with its own {@code
     * spring.kafka.streams.application-id}, a separate deployment for tests of other configurations
     * or of an unreachable Kafka.
     */
    public ConfigurableApplicationContext startOtherApi(String bootstrapServers, Map<String, Object> settings) {
        int port = freePort();
        Map<String, Object> all = new LinkedHashMap<>(
                ServiceSettings.api(bootstrapServers, port, 0, freePort(), ports.partitions(), issuer.baseUrl()));
        all.putAll(webhooks);
        all.putAll(overrides);
        all.putAll(settings);
        ConfigurableApplicationContext other = builderRun(ApiApplication.builder(), all);
        others.add(other);
        return other;
    }

    /**
     * Starts another worker-service on {@code bootstrapServers} with {@code settings}, with its own
     * Reactor Netty resources (closing it leaves the stack's servers running). The caller closes it.
     */
    public static ConfigurableApplicationContext startOtherWorker(
            String bootstrapServers, Map<String, Object> settings) {
        Map<String, Object> all = new LinkedHashMap<>(ServiceSettings.background(bootstrapServers, 0, 3));
        all.putAll(settings);
        return builderRun(WorkerApplication.builder(), all);
    }

    /**
     * Starts another callback-dispatcher on {@code bootstrapServers} with {@code settings} on top of
     * the stack's (its webhook keys included), with its own Reactor Netty resources. The caller
     * closes it.
     */
    public ConfigurableApplicationContext startOtherDispatcher(String bootstrapServers, Map<String, Object> settings) {
        Map<String, Object> all = new LinkedHashMap<>(ServiceSettings.background(bootstrapServers, 0, 3));
        all.putAll(webhooks);
        all.putAll(overrides);
        all.putAll(settings);
        return builderRun(DispatcherApplication.builder(), all);
    }

    /**
     * The port a service serves its actuator endpoints (health, metrics) on: api-service's own
     * management port, the server port of the other two (they serve nothing else).
     */
    public static int managementPort(@Nullable ConfigurableApplicationContext context) {
        if (context == null) {
            throw new IllegalStateException("the service is not running");
        }
        String management = context.getEnvironment().getProperty("local.management.port");
        return management != null ? Integer.parseInt(management) : port(context);
    }

    /** The port a service context listens on. */
    public static int port(@Nullable ConfigurableApplicationContext context) {
        if (context == null) {
            throw new IllegalStateException("the service is not running");
        }
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port", "0"));
    }

    /** worker-service's context, if running. */
    public @Nullable ConfigurableApplicationContext worker() {
        return worker;
    }

    /** callback-dispatcher's context. */
    public @Nullable ConfigurableApplicationContext dispatcher() {
        return dispatcher;
    }

    /** api-service's context. */
    public @Nullable ConfigurableApplicationContext api() {
        return api;
    }

    /** Runs a service with the stack's settings (and the overrides) as command-line arguments. */
    private ConfigurableApplicationContext run(SpringApplicationBuilder builder, Map<String, Object> settings) {
        var all = new LinkedHashMap<String, Object>(settings);
        all.putAll(overrides);
        return builderRun(builder, all);
    }

    private static ConfigurableApplicationContext builderRun(
            SpringApplicationBuilder builder, Map<String, Object> all) {
        // Reactor Netty's global event loops are shared by every server in the JVM and disposed when
        // any context closes; each service gets its own so one can restart without the others.
        builder.initializers(
                context -> ((GenericApplicationContext) context).registerBean(ReactorResourceFactory.class, () -> {
                    var resources = new ReactorResourceFactory();
                    resources.setUseGlobalResources(false);
                    return resources;
                }));
        return builder.run(ServiceSettings.asArguments(all));
    }

    private static int freePort() {
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        others.forEach(ConfigurableApplicationContext::close);
        for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] {dispatcher, api, worker}) {
            if (context != null) {
                context.close();
            }
        }
        if (issuer != null) {
            issuer.close();
        }
        if (broker != null) {
            broker.destroy();
        }
    }
}
