package io.flowgate.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Recorder;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The webhook action under load: subscriptions at a fixed rate, each with its own callback URL on a
 * receiver in this JVM that answers 200 and unsubscribes, as the engine does. Two latencies per
 * callback: from the intended subscribe time to the callback's arrival (the whole webhook action), and
 * from the job's end ({@code completedAt} in the payload) to the arrival (the worker's callback write
 * plus the dispatcher).
 */
final class WebhookBench implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** What one run measured. */
    record Outcome(
            long subscribed,
            long delivered,
            long failedSubscribes,
            double seconds,
            org.HdrHistogram.Histogram subscribeToCallbackMicros,
            org.HdrHistogram.Histogram jobEndToCallbackMicros,
            org.HdrHistogram.Histogram subscribeAnswerMicros) {}

    private final HttpServer receiver;
    private final HttpClient http = HttpClient.newBuilder()
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();
    private final String api;
    private final String token;
    private final Map<String, Long> intended = new ConcurrentHashMap<>();
    private volatile @Nullable Run current;

    private record Run(Recorder whole, Recorder dispatch, Recorder answer, AtomicLong delivered, CountDownLatch done) {}

    WebhookBench(String api, String token) throws IOException {
        this.api = api;
        this.token = token;
        this.receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        receiver.createContext("/cb/", exchange -> {
            long arrived = System.nanoTime();
            Instant arrivedAt = Instant.now();
            byte[] body = exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
            String key = exchange.getRequestURI().getPath().substring(4);
            Long sent = intended.remove(key);
            Run run = current;
            if (sent == null || run == null) {
                return; // a retry of a callback already counted
            }
            JsonNode payload = JSON.readTree(new String(body, StandardCharsets.UTF_8));
            run.whole().recordValue(Math.max(1, (arrived - sent) / 1000));
            Instant ended = Instant.parse(payload.get("completedAt").asString());
            run.dispatch()
                    .recordValue(Math.max(1, Duration.between(ended, arrivedAt).toNanos() / 1000));
            run.delivered().incrementAndGet();
            run.done().countDown();
            unsubscribe(payload.get("subscriptionId").asString());
        });
        receiver.start();
    }

    /** Subscribes {@code perSecond} times a second for {@code duration}, then waits for the callbacks. */
    Outcome run(String operation, String input, int perSecond, Duration duration) throws InterruptedException {
        long total = Math.max(1, Math.round(perSecond * duration.toNanos() / 1e9));
        Run run = new Run(
                new Recorder(3), new Recorder(3), new Recorder(3), new AtomicLong(), new CountDownLatch((int) total));
        current = run;
        AtomicLong failed = new AtomicLong();
        String prefix = Long.toString(System.nanoTime(), 36);
        long interval = Math.round(1e9 / perSecond);
        long start = System.nanoTime();
        for (long i = 0; i < total; i++) {
            long at = start + i * interval;
            long wait = at - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            String key = prefix + "-" + i;
            intended.put(key, at);
            String body = "{\"callbackUrl\":\"http://127.0.0.1:"
                    + receiver.getAddress().getPort() + "/cb/" + key + "?sig=bench\",\"input\":" + input + "}";
            http.sendAsync(
                            HttpRequest.newBuilder(
                                            URI.create(api + "/api/v1/operations/" + operation + "/subscriptions"))
                                    .header("Authorization", "Bearer " + token)
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(body))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, error) -> {
                        run.answer().recordValue(Math.max(1, (System.nanoTime() - at) / 1000));
                        if (error != null || response.statusCode() != 201) {
                            failed.incrementAndGet();
                            intended.remove(key);
                            run.done().countDown();
                        }
                    });
        }
        run.done().await(60, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        current = null;
        return new Outcome(
                total,
                run.delivered().get(),
                failed.get(),
                seconds,
                run.whole().getIntervalHistogram(),
                run.dispatch().getIntervalHistogram(),
                run.answer().getIntervalHistogram());
    }

    private void unsubscribe(String subscriptionId) {
        http.sendAsync(
                HttpRequest.newBuilder(URI.create(api + "/api/v1/subscriptions/" + subscriptionId))
                        .header("Authorization", "Bearer " + token)
                        .DELETE()
                        .build(),
                HttpResponse.BodyHandlers.discarding());
    }

    @Override
    public void close() {
        receiver.stop(0);
        http.close();
    }
}
