package io.flowgate.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The issuer over real HTTP, with Entra ID's URL shapes. */
class LocalIssuerTests {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static LocalIssuer issuer;

    @BeforeAll
    static void start() {
        issuer = LocalIssuer.start(0, DemoTenants.clients());
    }

    @AfterAll
    static void stop() {
        issuer.close();
    }

    private static HttpResponse<String> token(String tenant, String form) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(issuer.tokenUrl(tenant)))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void clientCredentialsGiveAnEntraShapedTokenVerifiableWithTheJwks() throws Exception {
        var response = token(
                DemoTenants.CONTOSO,
                "grant_type=client_credentials&client_id=contoso-flows&client_secret=contoso-secret&scope=api%3A%2F%2Fflowgate%2F.default");
        assertThat(response.statusCode()).isEqualTo(200);
        SignedJWT jwt = SignedJWT.parse(
                JSON.readTree(response.body()).get("access_token").asString());

        RSAKey key = (RSAKey) JWKSet.parse(get(issuer.jwksUrl()).body())
                .getKeyByKeyId(jwt.getHeader().getKeyID());
        assertThat(jwt.verify(new RSASSAVerifier(key))).isTrue();
        var claims = jwt.getJWTClaimsSet();
        assertThat(claims.getIssuer()).isEqualTo(issuer.baseUrl() + "/" + DemoTenants.CONTOSO + "/v2.0");
        assertThat(claims.getAudience()).containsExactly("api://flowgate");
        assertThat(claims.getStringClaim("tid")).isEqualTo(DemoTenants.CONTOSO);
        assertThat(claims.getStringClaim("scp")).isEqualTo("user_impersonation");
        assertThat(claims.getStringClaim("oid")).isEqualTo(DemoTenants.CONTOSO_CLIENT.objectId());
    }

    @Test
    void aWrongSecretOrAnotherTenantsClientIsInvalidClient() throws Exception {
        var wrongSecret = token(
                DemoTenants.CONTOSO,
                "grant_type=client_credentials&client_id=contoso-flows&client_secret=nope&scope=api%3A%2F%2Fflowgate%2F.default");
        var otherTenant = token(
                DemoTenants.FABRIKAM,
                "grant_type=client_credentials&client_id=contoso-flows&client_secret=contoso-secret&scope=api%3A%2F%2Fflowgate%2F.default");

        assertThat(wrongSecret.statusCode()).isEqualTo(401);
        assertThat(wrongSecret.body()).contains("invalid_client");
        assertThat(otherTenant.statusCode()).isEqualTo(401);
    }

    @Test
    void aScopeWithoutDefaultIsInvalidScope() throws Exception {
        var response = token(
                DemoTenants.CONTOSO,
                "grant_type=client_credentials&client_id=contoso-flows&client_secret=contoso-secret&scope=api%3A%2F%2Fflowgate");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("invalid_scope");
    }

    @Test
    void aKeptKeySurvivesARestart(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        var keyFile = dir.resolve("key.json");
        String token;
        try (var first = LocalIssuer.start(0, DemoTenants.clients(), keyFile)) {
            token = first.token("contoso-flows", "api://flowgate", claims -> {});
        }
        try (var second = LocalIssuer.start(0, DemoTenants.clients(), keyFile)) {
            SignedJWT jwt = SignedJWT.parse(token);
            RSAKey key = (RSAKey) JWKSet.parse(get(second.jwksUrl()).body())
                    .getKeyByKeyId(jwt.getHeader().getKeyID());
            assertThat(jwt.verify(new RSASSAVerifier(key))).isTrue();
        }
    }

    @Test
    void openIdMetadataNamesTheTenantsIssuerAndEndpoints() throws Exception {
        JsonNode metadata = JSON.readTree(
                get(issuer.baseUrl() + "/" + DemoTenants.FABRIKAM + "/v2.0/.well-known/openid-configuration")
                        .body());

        assertThat(metadata.get("issuer").asString()).isEqualTo(issuer.issuer(DemoTenants.FABRIKAM));
        assertThat(metadata.get("token_endpoint").asString()).isEqualTo(issuer.tokenUrl(DemoTenants.FABRIKAM));
    }
}
