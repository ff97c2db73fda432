package io.flowgate.systemtest;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server on 127.0.0.1 that receives callbacks: each path answers from its own script
 * (status codes, in order; the last one repeats), shared by the paths under it, and every request is
 * recorded. {@link #HANG} holds
 * the request until the receiver closes.
 */
final class Receiver implements AutoCloseable {

    /** A scripted answer that never comes. */
    static final int HANG = -1;

    /** One received request. */
    record Call(String path, String query, Map<String, List<String>> headers, String body, Instant at) {
        String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst())
                    .findFirst()
                    .orElse(null);
        }
    }

    /** One scripted answer. */
    record Reply(int status, Map<String, String> headers) {}

    private final HttpServer server;
    private final Map<String, Deque<Reply>> scripts = new ConcurrentHashMap<>();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);

    Receiver() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    /** Scripts {@code path} to answer these statuses in order (the last repeats). */
    Receiver script(String path, int... statuses) {
        Deque<Reply> replies = new ArrayDeque<>();
        for (int status : statuses) {
            replies.add(new Reply(status, Map.of()));
        }
        scripts.put(path, replies);
        return this;
    }

    /** Scripts {@code path} to answer these replies in order (the last repeats). */
    Receiver script(String path, Reply... replies) {
        scripts.put(path, new ArrayDeque<>(List.of(replies)));
        return this;
    }

    /** The callback URL of {@code path}, with a {@code sig} query value as Logic Apps URLs have. */
    String url(String path, String sig) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path + "?api-version=2016-06-01&sig=" + sig;
    }

    /** The requests {@code path} received, oldest first. */
    List<Call> calls(String path) {
        return calls.stream().filter(c -> c.path().equals(path)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String path = exchange.getRequestURI().getPath();
        calls.add(new Call(
                path,
                exchange.getRequestURI().getRawQuery(),
                Map.copyOf(exchange.getRequestHeaders()),
                body,
                Instant.now()));
        Reply reply = next(path);
        if (reply.status() == HANG) {
            try {
                closed.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
            return;
        }
        reply.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        exchange.sendResponseHeaders(reply.status(), -1);
        exchange.close();
    }

    /** The script of {@code path}, or of the longest scripted path it lies under. */
    private Reply next(String path) {
        Deque<Reply> script = scripts.get(path);
        for (String prefix = path; script == null && prefix.lastIndexOf('/') > 0; ) {
            prefix = prefix.substring(0, prefix.lastIndexOf('/'));
            script = scripts.get(prefix);
        }
        if (script == null) {
            return new Reply(200, Map.of());
        }
        synchronized (script) {
            return script.size() > 1 ? script.poll() : script.peek();
        }
    }

    /** Waits up to {@code timeout} for {@code path} to have received {@code count} requests. */
    List<Call> await(String path, int count, Duration timeout) {
        org.awaitility.Awaitility.await()
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(20))
                .until(() -> calls(path).size() >= count);
        return calls(path);
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
    }
}
