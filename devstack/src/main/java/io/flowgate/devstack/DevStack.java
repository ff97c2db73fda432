package io.flowgate.devstack;

import io.flowgate.api.ApiApplication;
import io.flowgate.dispatcher.DispatcherApplication;
import io.flowgate.issuer.DemoTenants;
import io.flowgate.issuer.LocalIssuer;
import io.flowgate.worker.WorkerApplication;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code main} of the local stack's processes: {@code run-local.sh} starts one process per role, so
 * any service can be stopped, killed or restarted on its own while the others go on.
 *
 * <pre>java -jar devstack-exec.jar kafka|issuer|api|worker|dispatcher[-N] [data folder]</pre>
 *
 * <p>{@code api-2}, {@code worker-3}, ... start a further replica of a service: replica N listens on
 * the first replica's ports plus 100 (N - 1), so several run side by side on one machine.
 */
public final class DevStack {

    static final String KAFKA = "127.0.0.1:9092";
    static final String ISSUER = "http://127.0.0.1:8090";
    static final int PARTITIONS = 6;

    private DevStack() {}

    static void main(String[] args) throws InterruptedException {
        if (args.length < 1) {
            System.err.println("usage: DevStack kafka|issuer|api|worker|dispatcher[-N] [data folder]");
            System.exit(2);
        }
        Path data = Path.of(args.length > 1 ? args[1] : ".flowgate-local");
        String[] part = args[0].split("-", 2);
        int replica = part.length > 1 ? Integer.parseInt(part[1]) : 1;
        int offset = 100 * (replica - 1);
        switch (part[0]) {
            case "kafka" -> {
                LocalKafka kafka = LocalKafka.start(data.resolve("kafka"), 9092, 9093);
                runUntilStopped(kafka);
            }
            case "issuer" ->
                runUntilStopped(LocalIssuer.start(8090, DemoTenants.clients(), data.resolve("issuer-key.json")));
            case "api" -> {
                Map<String, Object> settings = new LinkedHashMap<>(
                        ServiceSettings.api(KAFKA, 8080 + offset, 9080 + offset, 9081 + offset, PARTITIONS, ISSUER));
                settings.putAll(ServiceSettings.webhooks(data.resolve("webhook-keys.properties")));
                ApiApplication.builder().run(ServiceSettings.asArguments(settings));
            }
            case "worker" ->
                WorkerApplication.builder()
                        .run(ServiceSettings.asArguments(ServiceSettings.background(KAFKA, 8081 + offset, PARTITIONS)));
            case "dispatcher" -> {
                Map<String, Object> settings =
                        new LinkedHashMap<>(ServiceSettings.background(KAFKA, 8082 + offset, PARTITIONS));
                settings.putAll(ServiceSettings.webhooks(data.resolve("webhook-keys.properties")));
                DispatcherApplication.builder().run(ServiceSettings.asArguments(settings));
            }
            default -> {
                System.err.println("unknown role " + args[0]);
                System.exit(2);
            }
        }
    }

    private static void runUntilStopped(AutoCloseable service) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                service.close();
            } catch (Exception e) {
                e.printStackTrace();
            }
            stopped.countDown();
        }));
        stopped.await();
    }
}
