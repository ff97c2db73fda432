package io.flowgate.systemtest;

import io.flowgate.devstack.LocalStack;
import io.flowgate.issuer.DemoTenants;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** The operator's admin API, called with the demo operator client's token. */
final class Admin {

    private final WebTestClient api;
    private final String token;

    Admin(LocalStack stack) {
        this(stack, stack.apiUrl());
    }

    /** The admin API of another api-service at {@code apiUrl}, on the stack's issuer. */
    Admin(LocalStack stack, String apiUrl) {
        this.api = Http.testClient(apiUrl);
        this.token = Tokens.fetch(stack, DemoTenants.OPERATOR_CLIENT);
    }

    /** PUT /admin/v1/tenants/{tenantId} with {@code body}. */
    WebTestClient.ResponseSpec put(String tenantId, String body) {
        return api.put()
                .uri("/admin/v1/tenants/{id}", tenantId)
                .headers(h -> h.setBearerAuth(token))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange();
    }

    /** Registers (or updates) the tenant and checks the answer is 200 or 201. */
    void register(String tenantId, String body) {
        put(tenantId, body).expectStatus().value(status -> {
            if (status != 200 && status != 201) {
                throw new AssertionError("registering " + tenantId + " answered " + status);
            }
        });
    }

    WebTestClient.ResponseSpec get(String tenantId) {
        return api.get()
                .uri("/admin/v1/tenants/{id}", tenantId)
                .headers(h -> h.setBearerAuth(token))
                .exchange();
    }

    WebTestClient.ResponseSpec post(String tenantId, String action) {
        return api.post()
                .uri("/admin/v1/tenants/{id}/{action}", tenantId, action)
                .headers(h -> h.setBearerAuth(token))
                .exchange();
    }

    /** GET on any admin path. */
    WebTestClient.ResponseSpec getPath(String path) {
        return api.get().uri(path).headers(h -> h.setBearerAuth(token)).exchange();
    }

    /** POST of a JSON body to any admin path. */
    WebTestClient.ResponseSpec postJson(String path, String body) {
        return api.post()
                .uri(path)
                .headers(h -> h.setBearerAuth(token))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange();
    }

    WebTestClient.ResponseSpec offboard(String tenantId) {
        return api.delete()
                .uri("/admin/v1/tenants/{id}", tenantId)
                .headers(h -> h.setBearerAuth(token))
                .exchange();
    }
}
