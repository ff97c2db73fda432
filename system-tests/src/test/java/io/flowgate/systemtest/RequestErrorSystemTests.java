package io.flowgate.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.flowgate.contracts.Topics;
import io.flowgate.devstack.LocalStack;
import io.flowgate.issuer.DemoTenants;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Bad input and bad tokens get clear problem answers and change nothing. */
class RequestErrorSystemTests {

    private static LocalStack stack;
    private static WebTestClient api;
    private static String contoso;

    @BeforeAll
    static void startStack() {
        stack = SharedStack.get();
        api = Http.testClient(stack.apiUrl());
        contoso = Tokens.fetch(stack, DemoTenants.CONTOSO_CLIENT);
        await().atMost(Duration.ofSeconds(60)).until(() -> Catalog.catalogHas(api, contoso));
    }

    private WebTestClient.ResponseSpec post(String token, MediaType type, String body) {
        return api.post()
                .uri("/api/v1/operations/delay")
                .headers(h -> {
                    if (token != null) {
                        h.setBearerAuth(token);
                    }
                })
                .contentType(type)
                .bodyValue(body)
                .exchange();
    }

    private static void isProblem(WebTestClient.ResponseSpec response, int status, String type) {
        response.expectStatus()
                .isEqualTo(status)
                .expectHeader()
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo(status)
                .jsonPath("$.type")
                .isEqualTo(type)
                .jsonPath("$.detail")
                .isNotEmpty();
    }

    @Test
    void malformedJsonIs400() {
        isProblem(
                post(contoso, MediaType.APPLICATION_JSON, "{\"seconds\":"),
                400,
                "urn:flowgate:problem:malformed-request");
    }

    @Test
    void inputThatBreaksTheSchemaIs400WithTheViolations() {
        post(contoso, MediaType.APPLICATION_JSON, "{\"seconds\":\"soon\"}")
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.type")
                .isEqualTo("urn:flowgate:problem:invalid-input")
                .jsonPath("$.errors[0].pointer")
                .isEqualTo("/seconds");
    }

    @Test
    void tooDeeplyNestedJsonIs400() {
        String deep = "{\"seconds\":1,\"x\":" + "[".repeat(100) + "]".repeat(100) + "}";
        isProblem(post(contoso, MediaType.APPLICATION_JSON, deep), 400, "urn:flowgate:problem:malformed-request");
    }

    @Test
    void oversizeBodyIs413() {
        String big = "{\"seconds\":1,\"padding\":\"" + "x".repeat(1_100_000) + "\"}";
        isProblem(post(contoso, MediaType.APPLICATION_JSON, big), 413, "urn:flowgate:problem:payload-too-large");
    }

    @Test
    void wrongContentTypeIs415() {
        post(contoso, MediaType.TEXT_PLAIN, "seconds=1")
                .expectStatus()
                .isEqualTo(415)
                .expectHeader()
                .contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void aMalformedIdempotencyKeyIs400() {
        var response = api.post()
                .uri("/api/v1/operations/delay")
                .headers(h -> {
                    h.setBearerAuth(contoso);
                    h.add("Idempotency-Key", "x".repeat(300));
                })
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"seconds\":1}")
                .exchange();
        isProblem(response, 400, "urn:flowgate:problem:invalid-idempotency-key");
    }

    @Test
    void unknownOperationIs404() {
        api.post()
                .uri("/api/v1/operations/no-such-operation")
                .headers(h -> h.setBearerAuth(contoso))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody()
                .jsonPath("$.type")
                .isEqualTo("urn:flowgate:problem:operation-not-found");
    }

    @Test
    void missingTokenIs401WithWwwAuthenticate() {
        var response = post(null, MediaType.APPLICATION_JSON, "{\"seconds\":1}");
        response.expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        isProblem(response, 401, "urn:flowgate:problem:unauthorized");
    }

    @Test
    void expiredTokenIs401() {
        rejected(claims -> claims.expirationTime(Date.from(Instant.now().minusSeconds(600)))
                .issueTime(Date.from(Instant.now().minusSeconds(4000)))
                .notBeforeTime(Date.from(Instant.now().minusSeconds(4000))));
    }

    @Test
    void tokenForAnotherAudienceIs401() {
        rejected(claims -> claims.audience("api://someone-else"));
    }

    @Test
    void tokenWhoseIssuerIsAnotherTenantIs401() {
        rejected(claims -> claims.claim("tid", DemoTenants.FABRIKAM));
    }

    @Test
    void tokenSignedByAnotherKeyIs401() {
        try (var impostor = io.flowgate.issuer.LocalIssuer.start(0, DemoTenants.clients())) {
            String forged = impostor.token(
                    DemoTenants.CONTOSO_CLIENT.clientId(),
                    LocalStack.AUDIENCE,
                    claims -> claims.issuer(stack.issuer().issuer(DemoTenants.CONTOSO)));
            expectInvalidToken(forged);
        }
    }

    @Test
    void aTokenWithoutTheDelegatedScopeIs403() {
        String token = stack.issuer()
                .token(
                        DemoTenants.CONTOSO_CLIENT.clientId(),
                        LocalStack.AUDIENCE,
                        claims -> claims.claim("scp", "other.scope"));

        var response = post(token, MediaType.APPLICATION_JSON, "{\"seconds\":1}");

        response.expectHeader()
                .value(
                        HttpHeaders.WWW_AUTHENTICATE,
                        value -> assertThat(value).startsWith("Bearer error=\"insufficient_scope\""));
        isProblem(response, 403, "urn:flowgate:problem:forbidden");
        api.get()
                .uri("/api/v1/operations")
                .headers(h -> h.setBearerAuth(token))
                .exchange()
                .expectStatus()
                .isForbidden();
    }

    @Test
    void garbageAuthorizationIs401() {
        expectInvalidToken("not-a-jwt");
    }

    @Test
    void aV1TokenOfTheTenantIsAccepted() {
        String v1 = stack.issuer()
                .token(
                        DemoTenants.CONTOSO_CLIENT.clientId(),
                        LocalStack.AUDIENCE,
                        claims -> claims.issuer("https://sts.windows.net/" + DemoTenants.CONTOSO + "/")
                                .claim("ver", "1.0"));
        api.get()
                .uri("/api/v1/operations")
                .headers(h -> h.setBearerAuth(v1))
                .exchange()
                .expectStatus()
                .isOk();
        // ...but not when the v1 issuer names another tenant than tid.
        rejected(claims -> claims.issuer("https://sts.windows.net/" + DemoTenants.FABRIKAM + "/"));
    }

    @Test
    void tokenNotYetValidIs401() {
        rejected(claims -> claims.notBeforeTime(Date.from(Instant.now().plusSeconds(600))));
    }

    @Test
    void unsignedTokenWithAlgNoneIs401() {
        expectInvalidToken(new PlainJWT(contosoClaims()).serialize());
    }

    @Test
    void tokenSignedWithHs256UsingThePublicKeyIs401() throws Exception {
        // The classic key-confusion attack: the public key, known to all, used as an HMAC secret.
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256)
                        .keyID(stack.issuer().publicKey().getKeyID())
                        .build(),
                contosoClaims());
        jwt.sign(new MACSigner(stack.issuer().publicKey().toRSAPublicKey().getEncoded()));
        expectInvalidToken(jwt.serialize());
    }

    @Test
    void tokenWithAForgedSignatureIs401() {
        String token = Tokens.fetch(stack, DemoTenants.CONTOSO_CLIENT);
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace(DemoTenants.CONTOSO_CLIENT.objectId(), "00000000-0000-4000-8000-000000000000");
        String forged = parts[0] + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8))
                + "." + parts[2];
        expectInvalidToken(forged);
    }

    @Test
    void oversizedTokenIs401BeforeAnyParsing() {
        String huge = stack.issuer()
                .token(
                        DemoTenants.CONTOSO_CLIENT.clientId(),
                        LocalStack.AUDIENCE,
                        claims -> claims.claim("padding", "x".repeat(20_000)));
        var response = post(huge, MediaType.APPLICATION_JSON, "{\"seconds\":1}");
        response.expectHeader()
                .value(
                        HttpHeaders.WWW_AUTHENTICATE,
                        value -> assertThat(value)
                                .startsWith("Bearer error=\"invalid_token\"")
                                .contains("longer than"));
        isProblem(response, 401, "urn:flowgate:problem:unauthorized");
    }

    @Test
    void aTokenSignedWithANewlyRotatedKeyIsAccepted() {
        stack.issuer().rotateKey();
        String fresh = Tokens.fetch(stack, DemoTenants.CONTOSO_CLIENT);
        assertThat(fresh).isNotEqualTo(contoso);
        // The API has never seen the new kid: it fetches the JWKS again and accepts the token.
        api.get()
                .uri("/api/v1/operations")
                .headers(h -> h.setBearerAuth(fresh))
                .exchange()
                .expectStatus()
                .isOk();
        // Tokens signed with the previous key stay valid while it is still published.
        api.get()
                .uri("/api/v1/operations")
                .headers(h -> h.setBearerAuth(contoso))
                .exchange()
                .expectStatus()
                .isOk();
    }

    @Test
    void refusedCallsWriteNothingToKafka() throws Exception {
        long before = KafkaProbe.written(stack, Topics.JOBS, Topics.JOB_CONTROL, Topics.TENANTS);

        post(null, MediaType.APPLICATION_JSON, "{\"seconds\":1}").expectStatus().isUnauthorized();
        post("not-a-jwt", MediaType.APPLICATION_JSON, "{\"seconds\":1}")
                .expectStatus()
                .isUnauthorized();
        post(new PlainJWT(contosoClaims()).serialize(), MediaType.APPLICATION_JSON, "{\"seconds\":1}")
                .expectStatus()
                .isUnauthorized();
        post(
                        stack.issuer()
                                .token(
                                        DemoTenants.CONTOSO_CLIENT.clientId(),
                                        LocalStack.AUDIENCE,
                                        claims -> claims.claim("scp", "other.scope")),
                        MediaType.APPLICATION_JSON,
                        "{\"seconds\":1}")
                .expectStatus()
                .isForbidden();
        post(contoso, MediaType.APPLICATION_JSON, "{\"seconds\":\"soon\"}")
                .expectStatus()
                .isBadRequest();
        post(contoso, MediaType.APPLICATION_JSON, "{\"seconds\":")
                .expectStatus()
                .isBadRequest();
        post(contoso, MediaType.TEXT_PLAIN, "seconds=1").expectStatus().isEqualTo(415);
        api.delete()
                .uri("/api/v1/jobs/AAAAAAAAAAAAAAAAAAAAAA")
                .headers(h -> h.setBearerAuth(contoso))
                .exchange()
                .expectStatus()
                .isNotFound();

        assertThat(KafkaProbe.written(stack, Topics.JOBS, Topics.JOB_CONTROL, Topics.TENANTS))
                .isEqualTo(before);
    }

    private static JWTClaimsSet contosoClaims() {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .issuer(stack.issuer().issuer(DemoTenants.CONTOSO))
                .audience(LocalStack.AUDIENCE)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(3600)))
                .claim("tid", DemoTenants.CONTOSO)
                .claim("scp", "user_impersonation")
                .build();
    }

    private void rejected(Consumer<JWTClaimsSet.Builder> tamper) {
        expectInvalidToken(stack.issuer().token(DemoTenants.CONTOSO_CLIENT.clientId(), LocalStack.AUDIENCE, tamper));
    }

    private void expectInvalidToken(String token) {
        var response = post(token, MediaType.APPLICATION_JSON, "{\"seconds\":1}");
        response.expectHeader()
                .value(
                        HttpHeaders.WWW_AUTHENTICATE,
                        value -> assertThat(value).startsWith("Bearer error=\"invalid_token\""));
        isProblem(response, 401, "urn:flowgate:problem:unauthorized");
    }
}
