package io.flowgate.systemtest;

import io.flowgate.devstack.LocalStack;
import io.flowgate.issuer.IssuerClient;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.JsonNode;
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

    /**
     * A delegated token for {@code user} of {@code tenantId}, got the way a connection gets it:
     * authorization code with PKCE (S256) for the connector's client, then the code redeemed with its
     * verifier.
     */
    static String delegated(LocalStack stack, String tenantId, String user) {
        var client = io.flowgate.issuer.DemoTenants.CONTOSO_CLIENT;
        return authorizationCode(
                        stack,
                        client.clientId(),
                        client.clientSecret(),
                        "api://flowgate/user_impersonation offline_access",
                        "https://global.consent.azure-apim.net/redirect",
                        user + "@" + tenantId)
                .get("access_token")
                .asString();
    }

    /**
     * The authorization code flow as Power Platform runs it when a connection is created: the user
     * named by {@code loginHint} ({@code user@tenantId}) consents at the authorize endpoint of the
     * {@code common} tenant, and the code is redeemed with its PKCE verifier. Answers the token
     * endpoint's JSON ({@code access_token}, {@code refresh_token}, ...).
     */
    static JsonNode authorizationCode(
            LocalStack stack, String clientId, String clientSecret, String scopes, String redirect, String loginHint) {
        try {
            String verifier = java.util.UUID.randomUUID() + "-" + java.util.UUID.randomUUID();
            String challenge = java.util.Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(java.security.MessageDigest.getInstance("SHA-256")
                            .digest(verifier.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            HttpResponse<String> authorized = HTTP.send(
                    HttpRequest.newBuilder(URI.create(stack.issuer().baseUrl()
                                    + "/common/oauth2/v2.0/authorize?response_type=code&client_id="
                                    + enc(clientId) + "&redirect_uri=" + enc(redirect)
                                    + "&scope=" + enc(scopes)
                                    + "&login_hint=" + enc(loginHint)
                                    + "&code_challenge=" + challenge + "&code_challenge_method=S256"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            String code = authorized
                    .headers()
                    .firstValue("Location")
                    .orElseThrow(() -> new IllegalStateException("no redirect: " + authorized.body()))
                    .replaceAll(".*[?&]code=([^&]+).*", "$1");
            return redeem(
                    stack,
                    "grant_type=authorization_code&client_id=" + enc(clientId) + "&client_secret="
                            + enc(clientSecret) + "&code=" + code + "&redirect_uri=" + enc(redirect)
                            + "&code_verifier=" + verifier);
        } catch (java.io.IOException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A connection's hourly renewal: the refresh token for a new access token (and a new refresh token). */
    static JsonNode refresh(LocalStack stack, String clientId, String clientSecret, String refreshToken) {
        return redeem(
                stack,
                "grant_type=refresh_token&client_id=" + enc(clientId) + "&client_secret=" + enc(clientSecret)
                        + "&refresh_token=" + enc(refreshToken));
    }

    private static JsonNode redeem(LocalStack stack, String form) {
        try {
            HttpResponse<String> redeemed = HTTP.send(
                    HttpRequest.newBuilder(URI.create(stack.issuer().tokenUrl("common")))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString(form))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (redeemed.statusCode() != 200) {
                throw new IllegalStateException(
                        "token endpoint answered " + redeemed.statusCode() + ": " + redeemed.body());
            }
            return JSON.readTree(redeemed.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A new random tenant id. */
    static String newTenantId() {
        return java.util.UUID.randomUUID().toString();
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
