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
    /**
     * A delegated token for {@code user} of {@code tenantId}, got the way a connection gets it:
     * authorization code with PKCE (S256) for the connector's client, then the code redeemed with its
     * verifier.
     */
    static String delegated(LocalStack stack, String tenantId, String user) {
        try {
            String verifier = java.util.UUID.randomUUID() + "-" + java.util.UUID.randomUUID();
            String challenge = java.util.Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(java.security.MessageDigest.getInstance("SHA-256")
                            .digest(verifier.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            String redirect = "https://global.consent.azure-apim.net/redirect";
            var client = io.flowgate.issuer.DemoTenants.CONTOSO_CLIENT;
            HttpResponse<String> authorized = HTTP.send(
                    HttpRequest.newBuilder(URI.create(stack.issuer().baseUrl()
                                    + "/common/oauth2/v2.0/authorize?response_type=code&client_id="
                                    + enc(client.clientId()) + "&redirect_uri=" + enc(redirect)
                                    + "&scope=" + enc("api://flowgate/user_impersonation offline_access")
                                    + "&login_hint=" + enc(user + "@" + tenantId)
                                    + "&code_challenge=" + challenge + "&code_challenge_method=S256"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            String code = authorized
                    .headers()
                    .firstValue("Location")
                    .orElseThrow(() -> new IllegalStateException("no redirect: " + authorized.body()))
                    .replaceAll(".*[?&]code=([^&]+).*", "$1");
            HttpResponse<String> redeemed = HTTP.send(
                    HttpRequest.newBuilder(URI.create(stack.issuer().tokenUrl("common")))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString("grant_type=authorization_code&client_id="
                                    + enc(client.clientId()) + "&client_secret=" + enc(client.clientSecret())
                                    + "&code=" + code + "&redirect_uri=" + enc(redirect) + "&code_verifier="
                                    + verifier))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(redeemed.body()).get("access_token").asString();
        } catch (java.io.IOException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String newTenantId() {
        return java.util.UUID.randomUUID().toString();
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
