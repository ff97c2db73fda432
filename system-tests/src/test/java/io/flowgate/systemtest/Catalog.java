package io.flowgate.systemtest;

import io.flowgate.contracts.OperationDescriptor;
import java.time.Duration;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The operation catalog, as the tests wait for it: workers announce their operations at start-up. */
final class Catalog {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Catalog() {}

    /** Whether the catalog lists the {@code delay} operation yet. */
    static boolean catalogHas(WebTestClient api, String token) {
        return find(api, token, "delay") != null;
    }

    /** An operation as the catalog describes it. */
    static OperationDescriptor descriptor(WebTestClient api, String token, String name) {
        JsonNode op = find(api, token, name);
        return new OperationDescriptor(
                name,
                op.get("summary").asString(),
                op.get("description").asString(),
                op.get("inputSchema"),
                op.get("outputSchema"),
                Duration.ofSeconds(op.get("waitBudgetSeconds").asLong()),
                Duration.ofSeconds(1));
    }

    private static JsonNode find(WebTestClient api, String token, String name) {
        String body = api.get()
                .uri("/api/v1/operations")
                .headers(h -> h.setBearerAuth(token))
                .exchange()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        if (body == null || !body.contains("\"value\"")) {
            return null;
        }
        for (JsonNode op : JSON.readTree(body).get("value")) {
            if (op.get("name").asString().equals(name)) {
                return op;
            }
        }
        return null;
    }
}
