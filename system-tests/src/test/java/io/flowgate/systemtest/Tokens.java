package io.flowgate.systemtest;

import io.flowgate.devstack.LocalStack;
import io.flowgate.issuer.IssuerClient;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.json.JsonMapper;

/** Gets access tokens the way a connector does: a client-credentials call to the issuer's token endpoint. */
final class Tokens {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Tokens() {}

    static String fetch(LocalStack stack, IssuerClient client) {
        String form = "grant_type=client_credentials&client_id=" + enc(client.clientId())
                + "&client_secret=" + enc(client.clientSecret())
                + "&scope=" + enc(LocalStack.AUDIENCE + "/.default");
        try {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create(stack.issuer().tokenUrl(client.tenantId())))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString(form))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(
                        "token endpoint answered " + response.statusCode() + ": " + response.body());
            }
            return JSON.readTree(response.body()).get("access_token").asString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A token of the stack's issuer for any tenant, as that tenant's own app registration would get:
     * a fresh tenant per test keeps quota and onboarding tests apart from the rest.
     */
    static String forTenant(LocalStack stack, String tenantId) {
        return stack.issuer()
                .token(
                        io.flowgate.issuer.DemoTenants.CONTOSO_CLIENT.clientId(),
                        LocalStack.AUDIENCE,
                        claims -> claims.issuer(stack.issuer().issuer(tenantId)).claim("tid", tenantId));
    }

    /** The same, for a service of that tenant granted {@code roles} (app roles). */
    static String forTenant(LocalStack stack, String tenantId, String... roles) {
        return stack.issuer()
                .token(
                        io.flowgate.issuer.DemoTenants.CONTOSO_CLIENT.clientId(),
                        LocalStack.AUDIENCE,
                        claims -> claims.issuer(stack.issuer().issuer(tenantId))
                                .claim("tid", tenantId)
                                .claim("roles", java.util.List.of(roles)));
    }

    /** A new random tenant id. */
    static String newTenantId() {
        return java.util.UUID.randomUUID().toString();
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
