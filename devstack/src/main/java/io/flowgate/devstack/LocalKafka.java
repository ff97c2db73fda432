package io.flowgate.devstack;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft Kafka (broker and controller) whose data lives in a folder, so it survives a
 * restart of the local stack, unlike the test broker whose logs are temporary.
 */
final class LocalKafka implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalKafka.class);

    private final KafkaRaftServer server;

    private LocalKafka(KafkaRaftServer server) {
        this.server = server;
    }

    /** Formats {@code dataDir} on first use, then starts the broker on 127.0.0.1:{@code port}. */
    static LocalKafka start(Path dataDir, int port, int controllerPort) {
        return start(
                dataDir,
                1,
                List.of(port),
                List.of(controllerPort),
                Uuid.randomUuid().toString());
    }

    /**
     * Formats {@code dataDir} on first use, then starts node {@code nodeId} (1-based) of a cluster of
     * {@code brokerPorts.size()} nodes, each broker and controller, all on 127.0.0.1. With three nodes,
     * Kafka's own topics are replicated three times with two in sync, as in production.
     */
    static LocalKafka start(
            Path dataDir, int nodeId, List<Integer> brokerPorts, List<Integer> controllerPorts, String clusterId) {
        int nodes = brokerPorts.size();
        int port = brokerPorts.get(nodeId - 1);
        int controllerPort = controllerPorts.get(nodeId - 1);
        String voters = java.util.stream.IntStream.rangeClosed(1, nodes)
                .mapToObj(n -> n + "@127.0.0.1:" + controllerPorts.get(n - 1))
                .collect(java.util.stream.Collectors.joining(","));
        String replicas = Integer.toString(Math.min(3, nodes));
        String inSync = Integer.toString(Math.min(2, nodes));
        Properties config = new Properties();
        config.put("process.roles", "broker,controller");
        config.put("node.id", Integer.toString(nodeId));
        config.put("controller.quorum.voters", voters);
        config.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        config.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        config.put("controller.listener.names", "CONTROLLER");
        config.put("inter.broker.listener.name", "PLAINTEXT");
        config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        config.put("log.dirs", dataDir.resolve("logs").toAbsolutePath().toString());
        config.put("offsets.topic.replication.factor", replicas);
        config.put("transaction.state.log.replication.factor", replicas);
        config.put("transaction.state.log.min.isr", inSync);
        config.put("group.initial.rebalance.delay.ms", "0");
        config.put("auto.create.topics.enable", "false");
        if (nodes > 1) {
            // A broker lost is fenced, and its partitions led elsewhere, within seconds.
            config.put("broker.session.timeout.ms", "3000");
            config.put("broker.heartbeat.interval.ms", "500");
        }
        try {
            Files.createDirectories(dataDir);
            Path file = dataDir.resolve("server.properties");
            try (OutputStream out = Files.newOutputStream(file)) {
                config.store(out, "Flowgate local Kafka");
            }
            if (!Files.exists(dataDir.resolve("logs").resolve("meta.properties"))) {
                int status = StorageTool.execute(
                        new String[] {"format", "-t", clusterId, "-c", file.toString()},
                        new PrintStream(OutputStream.nullOutputStream()));
                if (status != 0) {
                    throw new IllegalStateException("formatting the Kafka storage in " + dataDir + " failed");
                }
                log.info("Formatted new Kafka storage in {}", dataDir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(config, false), Time.SYSTEM);
        server.startup();
        log.info("Kafka node {} listening on 127.0.0.1:{}, data in {}", nodeId, port, dataDir.toAbsolutePath());
        return new LocalKafka(server);
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}
