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

    private static final String REDIRECT = "https://global.consent.azure-apim.net/redirect";
    private static final String VERIFIER = "a-pkce-code-verifier-of-at-least-43-characters-0123456789";

    private static String challenge(String verifier) throws Exception {
        return java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(java.security.MessageDigest.getInstance("SHA-256")
                        .digest(verifier.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }

    /** Signs alice of Fabrikam in for the connector's client: the code from the redirect. */
    private static String authorize(String challenge) throws Exception {
        String url = issuer.baseUrl() + "/common/oauth2/v2.0/authorize?response_type=code&client_id=contoso-flows"
                + "&redirect_uri=" + java.net.URLEncoder.encode(REDIRECT, java.nio.charset.StandardCharsets.UTF_8)
                + "&scope=api%3A%2F%2Fflowgate%2Fuser_impersonation%20offline_access&state=s1"
                + "&login_hint=alice%40" + DemoTenants.FABRIKAM
                + "&code_challenge=" + challenge + "&code_challenge_method=S256";
        HttpResponse<String> response =
                HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(302);
        String location = response.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(REDIRECT + "?code=").endsWith("&state=s1");
        return location.replaceAll(".*code=([^&]+).*", "$1");
    }

    private static String redeem(String code, String verifier) {
        return "grant_type=authorization_code&client_id=contoso-flows&client_secret=contoso-secret&code=" + code
                + "&redirect_uri=" + java.net.URLEncoder.encode(REDIRECT, java.nio.charset.StandardCharsets.UTF_8)
                + "&code_verifier=" + verifier;
    }

    @Test
    void theAuthorizationCodeFlowWithPkceGivesTheUsersDelegatedTokenAndRefreshesIt() throws Exception {
        String code = authorize(challenge(VERIFIER));
        var response = token("common", redeem(code, VERIFIER));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        var claims = SignedJWT.parse(body.get("access_token").asString()).getJWTClaimsSet();
        assertThat(claims.getStringClaim("tid")).isEqualTo(DemoTenants.FABRIKAM);
        assertThat(claims.getIssuer()).isEqualTo(issuer.issuer(DemoTenants.FABRIKAM));
        assertThat(claims.getAudience()).containsExactly("api://flowgate");
        assertThat(claims.getStringClaim("scp")).isEqualTo("user_impersonation");
        assertThat(claims.getStringClaim("azp")).isEqualTo("contoso-flows");
        assertThat(claims.getClaim("roles")).isNull();

        assertThat(token("common", redeem(code, VERIFIER)).statusCode())
                .as("a code is used once")
                .isEqualTo(400);

        String refresh = "grant_type=refresh_token&client_id=contoso-flows&client_secret=contoso-secret&refresh_token="
                + body.get("refresh_token").asString();
        var refreshed = token("common", refresh);
        assertThat(refreshed.statusCode()).isEqualTo(200);
        assertThat(SignedJWT.parse(JSON.readTree(refreshed.body())
                                .get("access_token")
                                .asString())
                        .getJWTClaimsSet()
                        .getStringClaim("tid"))
                .isEqualTo(DemoTenants.FABRIKAM);
        assertThat(token("common", refresh).statusCode())
                .as("a refresh token is used once: the answer carries the next one")
                .isEqualTo(400);
    }

    @Test
    void aCodeIsRefusedWithTheWrongVerifierAndAnAuthorizeWithoutPkceIsRefused() throws Exception {
        String code = authorize(challenge(VERIFIER));
        var wrong = token("common", redeem(code, "another-verifier-of-at-least-43-characters-000000000"));
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(wrong.body()).get("error").asString()).isEqualTo("invalid_grant");

        HttpResponse<String> noPkce = HTTP.send(
                HttpRequest.newBuilder(URI.create(issuer.baseUrl()
                                + "/common/oauth2/v2.0/authorize?response_type=code&client_id=contoso-flows"
                                + "&redirect_uri=https%3A%2F%2Fexample.com%2Fcb&scope=api%3A%2F%2Fflowgate%2Fuser_impersonation"
                                + "&login_hint=alice%40" + DemoTenants.FABRIKAM))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(noPkce.statusCode()).isEqualTo(400);
    }
}
