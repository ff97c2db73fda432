package io.flowgate.systemtest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Polls a polling trigger the way the Logic Apps engine does: starts from the trigger's URL, follows
 * every {@code Location} (keeping the last one when an answer has none), waits the {@code Retry-After}
 * (capped, so tests run on a compressed clock), and fires only on a 200.
 */
final class PollingTriggerClient {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One answer. */
    record Answer(int status, URI location, long retryAfter, String body) {
        JsonNode json() {
            return JSON.readTree(body);
        }
    }

    private final Supplier<String> token;
    private final Duration maxWait;
    private URI next;

    PollingTriggerClient(Supplier<String> token, URI first, Duration maxWait) {
        this.token = token;
        this.next = first;
        this.maxWait = maxWait;
    }

    /** The URL the next poll goes to. */
    URI next() {
        return next;
    }

    /** One poll of {@code url}, as it is (no following). */
    static Answer get(String token, URI url) {
        try {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(url)
                            .header("Authorization", "Bearer " + token)
                            .timeout(Duration.ofSeconds(30))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            URI location =
                    response.headers().firstValue("Location").map(URI::create).orElse(null);
            long retryAfter = response.headers()
                    .firstValue("Retry-After")
                    .map(Long::parseLong)
                    .orElse(-1L);
            return new Answer(response.statusCode(), location, retryAfter, response.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Polls once, follows its {@code Location}, and waits its {@code Retry-After} (capped). */
    Answer poll() {
        Answer answer = get(token.get(), next);
        if (answer.location() != null && (answer.status() == 200 || answer.status() == 202)) {
            next = answer.location();
        }
        if (answer.retryAfter() > 0) {
            sleep(
                    Duration.ofSeconds(answer.retryAfter()).compareTo(maxWait) > 0
                            ? maxWait
                            : Duration.ofSeconds(answer.retryAfter()));
        }
        return answer;
    }

    /**
     * Polls until {@code count} runs have fired or {@code within} has passed; answers the items of the
     * runs, in order (a batch answer's {@code value} counts item by item).
     */
    List<JsonNode> fire(int count, Duration within, Runnable betweenPolls) {
        List<JsonNode> fired = new ArrayList<>();
        long deadline = System.nanoTime() + within.toNanos();
        while (fired.size() < count && System.nanoTime() < deadline) {
            Answer answer = poll();
            if (answer.status() == 200) {
                JsonNode body = answer.json();
                if (body.has("value") && body.get("value").isArray()) {
                    body.get("value").forEach(fired::add);
                } else {
                    fired.add(body);
                }
            } else if (answer.status() != 202 && answer.status() != 503) {
                throw new AssertionError("the poll answered " + answer.status() + ": " + answer.body());
            }
            betweenPolls.run();
        }
        return fired;
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
