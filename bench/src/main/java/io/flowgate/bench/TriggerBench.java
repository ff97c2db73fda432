package io.flowgate.bench;

import com.sun.net.httpserver.HttpServer;
import io.flowgate.issuer.DemoTenants;
import io.flowgate.issuer.LocalIssuer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The triggers under load. The webhook trigger's fan-out: events published at a fixed rate to a tenant
 * with several webhook trigger subscriptions, each callback timed from the event's intended publish
 * time to its arrival at a receiver in this JVM. And tenants' event publishers as background load for
 * the polling-trigger phase, with tokens minted for tenants of their own (the local issuer's key is in
 * the bench's data folder, so tokens for any tenant can be signed here; the stack onboards them on their
 * first call).
 */
final class TriggerBench implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The audience the local stack's API checks (devstack's settings). */
    private static final String AUDIENCE = "api://flowgate";

    /** What one fan-out run measured. */
    record FanOut(long published, long expected, long delivered, double seconds, Histogram publishToCallbackMicros) {}

    private final String api;
    private final String flowsToken;
    private final String eventsToken;
    private final LocalIssuer minter;
    private final HttpServer receiver;
    private final HttpClient http = HttpClient.newBuilder()
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();
    private final Map<Long, Long> intended = new ConcurrentHashMap<>();
    private final Recorder latency = new Recorder(3);
    private final AtomicLong delivered = new AtomicLong();

    TriggerBench(String api, String flowsToken, String eventsToken, Path issuerKey) throws IOException {
        this.api = api;
        this.flowsToken = flowsToken;
        this.eventsToken = eventsToken;
        this.minter = LocalIssuer.start(0, DemoTenants.clients(), issuerKey);
        this.receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        receiver.createContext("/tr/", exchange -> {
            long arrived = System.nanoTime();
            byte[] body = exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
            JsonNode item = JSON.readTree(new String(body, StandardCharsets.UTF_8));
            Long sent = intended.get(item.path("data").path("n").asLong(-1));
            if (sent != null) {
                latency.recordValue(Math.max(1, (arrived - sent) / 1000));
                delivered.incrementAndGet();
            }
        });
        receiver.start();
    }

    /**
     * Subscribes {@code subscriptions} webhook triggers of one tenant, publishes {@code perSecond} events
     * a second for {@code duration}, waits for every callback (or a minute), and unsubscribes.
     */
    FanOut fanOut(int perSecond, int subscriptions, Duration duration) throws Exception {
        String run = Long.toString(System.nanoTime(), 36);
        List<String> subscribed = new ArrayList<>();
        for (int i = 0; i < subscriptions; i++) {
            String body = "{\"callbackUrl\":\"http://127.0.0.1:"
                    + receiver.getAddress().getPort() + "/tr/" + run + "/" + i + "?sig=bench\"}";
            var response = http.send(
                    HttpRequest.newBuilder(
                                    URI.create(api + "/api/v1/triggers/event-received/subscriptions?type=bench-" + run))
                            .header("Authorization", "Bearer " + flowsToken)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 201) {
                throw new IllegalStateException("subscribe answered " + response.statusCode() + ": " + response.body());
            }
            subscribed.add(response.headers().firstValue("Location").orElseThrow());
        }
        intended.clear();
        latency.reset();
        delivered.set(0);
        long total = Math.max(1, Math.round(perSecond * duration.toNanos() / 1e9));
        long interval = Math.round(1e9 / perSecond);
        long base = System.nanoTime();
        long offset = Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000_000L) * 1000;
        for (long i = 0; i < total; i++) {
            long at = base + i * interval;
            long wait = at - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            long n = offset + i;
            intended.put(n, at);
            http.sendAsync(
                    HttpRequest.newBuilder(URI.create(api + "/api/v1/events"))
                            .header("Authorization", "Bearer " + eventsToken)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"type\":\"bench-" + run + "\",\"data\":{\"n\":" + n + "}}"))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
        }
        long expected = total * subscriptions;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (delivered.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        double seconds = (System.nanoTime() - base) / 1e9;
        Histogram measured = latency.getIntervalHistogram();
        for (String location : subscribed) {
            http.send(
                    HttpRequest.newBuilder(URI.create(location))
                            .header("Authorization", "Bearer " + flowsToken)
                            .DELETE()
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
        }
        return new FanOut(total, expected, delivered.get(), seconds, measured);
    }

    /** A flows token (delegated scope) for a tenant of its own. */
    String flowsTokenOf(String tenantId) {
        return minter.token(
                DemoTenants.CONTOSO_CLIENT.clientId(),
                AUDIENCE,
                claims -> claims.issuer("http://127.0.0.1:8090/" + tenantId + "/v2.0")
                        .claim("tid", tenantId));
    }

    private String eventsTokenOf(String tenantId) {
        return minter.token(
                DemoTenants.CONTOSO_EVENTS_CLIENT.clientId(),
                AUDIENCE,
                claims -> claims.issuer("http://127.0.0.1:8090/" + tenantId + "/v2.0")
                        .claim("tid", tenantId)
                        .claim("roles", List.of(DemoTenants.EVENTS_ROLE)));
    }

    /**
     * Starts {@code tenants} tenants of their own publishing {@code perSecond} events a second in all,
     * round robin, until the returned switch is turned off.
     */
    AtomicBoolean publishers(int tenants, int perSecond) {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < tenants; i++) {
            tokens.add(eventsTokenOf(UUID.randomUUID().toString()));
        }
        AtomicBoolean running = new AtomicBoolean(true);
        Thread.ofVirtual().name("trigger-bench-publishers").start(() -> {
            long interval = Math.round(1e9 / perSecond);
            long at = System.nanoTime();
            for (long i = 0; running.get(); i++) {
                at += interval;
                long wait = at - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                http.sendAsync(
                        HttpRequest.newBuilder(URI.create(api + "/api/v1/events"))
                                .header("Authorization", "Bearer " + tokens.get((int) (i % tenants)))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"type\":\"noise\",\"data\":{\"i\":" + i + "}}"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
            }
        });
        return running;
    }

    /** The Location of a first poll: a polling trigger's state for {@code token}'s tenant, from now. */
    String firstPollLocation(String token) throws Exception {
        var response = http.send(
                HttpRequest.newBuilder(URI.create(api + "/api/v1/triggers/event-received/poll?type=quiet"))
                        .header("Authorization", "Bearer " + token)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() != 202) {
            throw new IllegalStateException("the first poll answered " + response.statusCode());
        }
        return response.headers().firstValue("Location").orElseThrow();
    }

    @Override
    public void close() {
        receiver.stop(0);
        minter.close();
        http.close();
    }
}
