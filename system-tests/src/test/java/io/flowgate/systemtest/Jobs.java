package io.flowgate.systemtest;

import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Submitting jobs over HTTP, as a flow does. */
final class Jobs {

    private Jobs() {}

    /**
     * POSTs {@code input} to {@code operation} with {@code token}; {@code headers} are name, value
     * pairs (Prefer, Idempotency-Key, ...). Any answer is returned, for the test to judge.
     */
    static EntityExchangeResult<String> submit(
            WebTestClient api, String token, String operation, String input, String... headers) {
        return api.post()
                .uri("/api/v1/operations/{operation}", operation)
                .headers(h -> {
                    h.setBearerAuth(token);
                    for (int i = 0; i < headers.length; i += 2) {
                        h.add(headers[i], headers[i + 1]);
                    }
                })
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(input)
                .exchange()
                .expectBody(String.class)
                .returnResult();
    }
}
