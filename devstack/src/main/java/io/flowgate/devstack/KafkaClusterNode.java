package io.flowgate.devstack;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code main} of one node of a local multi-node Kafka cluster, in a process of its own, so a test
 * can kill a broker outright (the in-JVM test cluster shares one process and cannot):
 *
 * <pre>KafkaClusterNode nodeId dataDir clusterId brokerPort,brokerPort,... controllerPort,...</pre>
 */
public final class KafkaClusterNode {

    private KafkaClusterNode() {}

    /** The command line of node {@code nodeId}, run from {@code classpath} on the current JVM's binary. */
    public static List<String> command(
            String classpath,
            int nodeId,
            Path dataDir,
            String clusterId,
            List<Integer> brokerPorts,
            List<Integer> controllerPorts) {
        return List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx512m",
                "-cp",
                classpath,
                KafkaClusterNode.class.getName(),
                Integer.toString(nodeId),
                dataDir.toString(),
                clusterId,
                String.join(",", brokerPorts.stream().map(String::valueOf).toList()),
                String.join(",", controllerPorts.stream().map(String::valueOf).toList()));
    }

    static void main(String[] args) throws InterruptedException {
        if (args.length != 5) {
            System.err.println("usage: KafkaClusterNode nodeId dataDir clusterId brokerPorts controllerPorts");
            System.exit(2);
        }
        LocalKafka node =
                LocalKafka.start(Path.of(args[1]), Integer.parseInt(args[0]), ports(args[3]), ports(args[4]), args[2]);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }));
        stopped.await();
    }

    private static List<Integer> ports(String csv) {
        return Arrays.stream(csv.split(",")).map(Integer::valueOf).toList();
    }
}
