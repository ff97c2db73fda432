package io.flowgate.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.standardwebhooks.Webhook;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The webhook action's endpoints, called as a flow would, against the shared stack. */
final class Subscriptions {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Subscriptions() {}

    private static WebTestClient api() {
        return Http.testClient(SharedStack.get().apiUrl());
    }

    static EntityExchangeResult<String> subscribe(String token, String operation, String callbackUrl, String input) {
        return api().post()
                .uri("/api/v1/operations/{operation}/subscriptions", operation)
                .headers(h -> {
                    h.setBearerAuth(token);
                    h.add("x-ms-workflow-run-id", "run-" + operation);
                })
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"callbackUrl\":" + JSON.writeValueAsString(callbackUrl) + ",\"input\":" + input + "}")
                .exchange()
                .expectBody(String.class)
                .returnResult();
    }

    static EntityExchangeResult<String> get(String token, String path) {
        return api().get()
                .uri(URI.create(SharedStack.get().apiUrl() + path))
                .headers(h -> h.setBearerAuth(token))
                .exchange()
                .expectBody(String.class)
                .returnResult();
    }

    static int delete(String token, String path) {
        return api().delete()
                .uri(URI.create(SharedStack.get().apiUrl() + path))
                .headers(h -> h.setBearerAuth(token))
                .exchange()
                .expectBody()
                .returnResult()
                .getStatus()
                .value();
    }

    static JsonNode json(String body) {
        return JSON.readTree(body);
    }

    static String path(String location) {
        return URI.create(location).getRawPath();
    }

    /** Subscribes and checks the 201; answers the subscription's path. */
    static String subscribed(String token, String operation, String callbackUrl, String input) {
        var result = subscribe(token, operation, callbackUrl, input);
        assertThat(result.getStatus().value()).as(result.getResponseBody()).isEqualTo(201);
        return path(result.getResponseHeaders().getLocation().toString());
    }

    static List<JsonNode> deliveries(String token, String subscription) {
        var result = get(token, subscription + "/deliveries");
        assertThat(result.getStatus().value()).isEqualTo(200);
        List<JsonNode> attempts = new ArrayList<>();
        json(result.getResponseBody()).get("value").forEach(attempts::add);
        return attempts;
    }

    static String secretOf(String token) {
        return json(get(token, "/api/v1/webhook-signing-secrets").getResponseBody())
                .get("value")
                .get(0)
                .get("secret")
                .asString();
    }

    static void verifySignature(String secret, Receiver.Call call) throws Exception {
        new Webhook(secret)
                .verify(
                        call.body(),
                        Map.of(
                                "webhook-id", List.of(call.header("webhook-id")),
                                "webhook-timestamp", List.of(call.header("webhook-timestamp")),
                                "webhook-signature", List.of(call.header("webhook-signature"))));
    }

    static String unique(String name) {
        return "/" + name + "-" + UUID.randomUUID();
    }
}
