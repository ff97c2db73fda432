package io.flowgate.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import tools.jackson.databind.json.JsonMapper;

/**
 * A tenant of its own for one test, registered on the shared stack: its flows' token and its event
 * publisher's token (app role {@code Flowgate.Events}). Its events and subscriptions are its own.
 */
record TestTenant(String id, String flows, String events) {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    static TestTenant fresh() {
        return registered("{\"plan\":\"local\"}");
    }

    /** A new tenant onboarded with {@code registration} (the admin API's body: plan, quotas). */
    static TestTenant registered(String registration) {
        var stack = SharedStack.get();
        String id = Tokens.newTenantId();
        new Admin(stack).register(id, registration);
        return new TestTenant(id, Tokens.forTenant(stack, id), Tokens.forTenant(stack, id, "Flowgate.Events"));
    }

    /**
     * Publishes {@code count} events of {@code type}, {@code burst} at once (each burst with one
     * {@code occurredAt}); answers their event ids, burst by burst.
     */
    List<String> publish(int count, int burst, String type) {
        String url = SharedStack.get().apiUrl() + "/api/v1/events";
        List<String> ids = new ArrayList<>();
        for (int start = 0; start < count; start += burst) {
            String occurredAt = Instant.now().toString();
            List<CompletableFuture<HttpResponse<String>>> sends = IntStream.range(start, Math.min(count, start + burst))
                    .mapToObj(i -> HTTP.sendAsync(
                            HttpRequest.newBuilder(URI.create(url))
                                    .header("Authorization", "Bearer " + events)
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"" + type
                                            + "\",\"occurredAt\":\"" + occurredAt + "\",\"data\":{\"n\":" + i + "}}"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString()))
                    .toList();
            for (CompletableFuture<HttpResponse<String>> send : sends) {
                HttpResponse<String> response = send.join();
                assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
                ids.add(JSON.readTree(response.body()).get("eventId").asString());
            }
        }
        return ids;
    }
}
