package io.flowgate.issuer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * An Entra ID look-alike token issuer with Entra's URL shapes, so that Flowgate's production token
 * validation runs unchanged against it:
 *
 * <ul>
 *   <li>{@code POST /{tenant}/oauth2/v2.0/token}: client-credentials grant ({@code client_id},
 *       {@code client_secret}, {@code scope} ending in {@code /.default});
 *   <li>{@code GET /{tenant}/v2.0/.well-known/openid-configuration}: OpenID metadata;
 *   <li>{@code GET /common/discovery/v2.0/keys} (and per tenant): the JWKS.
 * </ul>
 *
 * <p>Tokens are RS256 v2.0 access tokens with {@code iss = {base}/{tid}/v2.0}, {@code aud}, {@code tid},
 * {@code oid}, {@code azp}, {@code scp} and {@code roles}. Written by hand because the available
 * mock issuers route by their own path layout ({@code /{issuerId}/token}), not Entra's; signing and
 * key handling come from Nimbus JOSE.
 */
public final class LocalIssuer implements AutoCloseable {

    /** The delegated scope the connector's tokens carry in {@code scp}. */
    public static final String DEFAULT_SCOPE_CLAIM = "user_impersonation";

    private static final Logger log = LoggerFactory.getLogger(LocalIssuer.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern TOKEN = Pattern.compile("^/([^/]+)/oauth2/v2\\.0/token$");
    private static final Pattern AUTHORIZE = Pattern.compile("^/([^/]+)/oauth2/v2\\.0/authorize$");
    private static final Duration CODE_LIFETIME = Duration.ofMinutes(5);
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
    private static final Pattern METADATA = Pattern.compile("^/([^/]+)/v2\\.0/\\.well-known/openid-configuration$");
    private static final Pattern KEYS = Pattern.compile("^/([^/]+)/discovery/v2\\.0/keys$");

    private final HttpServer server;
    private volatile RSAKey signingKey;
    private final List<JWK> publishedKeys = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger keyRequests =
            new java.util.concurrent.atomic.AtomicInteger();
    private final Map<String, IssuerClient> clients = new java.util.concurrent.ConcurrentHashMap<>();
    private final Duration tokenLifetime;
    private final String scopeClaim;
    /** Authorization codes not yet redeemed, and refresh tokens not yet used (each is used once). */
    private final Map<String, Grant> codes = new java.util.concurrent.ConcurrentHashMap<>();

    private final Map<String, Grant> refreshTokens = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * What a user consented to: a registered client's access to {@code resource} with {@code scopes},
     * for the user {@code user} of {@code tenantId}.
     */
    private record Grant(
            String clientId,
            String redirectUri,
            String codeChallenge,
            String tenantId,
            String user,
            String resource,
            String scopes,
            Instant expires) {}

    private LocalIssuer(
            HttpServer server,
            List<IssuerClient> clients,
            RSAKey signingKey,
            Duration tokenLifetime,
            String scopeClaim) {
        this.server = server;
        this.signingKey = signingKey;
        this.publishedKeys.add(signingKey.toPublicJWK());
        this.tokenLifetime = tokenLifetime;
        this.scopeClaim = scopeClaim;
        clients.forEach(c -> this.clients.put(c.clientId(), c));
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    }

    /**
     * Starts an issuer on 127.0.0.1.
     *
     * @param port the port, or 0 for any free port
     * @param clients the registered clients
     */
    public static LocalIssuer start(int port, List<IssuerClient> clients) {
        return start(port, clients, newKey());
    }

    /**
     * Starts an issuer on 127.0.0.1 whose signing key is kept in {@code keyFile} (created on first
     * use), so tokens stay valid when the issuer restarts.
     */
    public static LocalIssuer start(int port, List<IssuerClient> clients, Path keyFile) {
        try {
            RSAKey key;
            if (Files.exists(keyFile)) {
                key = RSAKey.parse(Files.readString(keyFile));
            } else {
                key = newKey();
                Files.createDirectories(keyFile.toAbsolutePath().getParent());
                Files.writeString(keyFile, key.toJSONString());
            }
            return start(port, clients, key);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the signing key " + keyFile, e);
        } catch (ParseException e) {
            throw new IllegalStateException("unreadable signing key " + keyFile, e);
        }
    }

    private static RSAKey newKey() {
        try {
            return new RSAKeyGenerator(2048)
                    .keyID(UUID.randomUUID().toString())
                    .algorithm(JWSAlgorithm.RS256)
                    .generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate the signing key", e);
        }
    }

    private static LocalIssuer start(int port, List<IssuerClient> clients, RSAKey key) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
            LocalIssuer issuer = new LocalIssuer(server, clients, key, Duration.ofHours(1), DEFAULT_SCOPE_CLAIM);
            server.start();
            log.info("Local token issuer listening on {}", issuer.baseUrl());
            return issuer;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the local issuer on port " + port, e);
        }
    }

    /** Base URL ({@code http://127.0.0.1:port}), the "authority host" of this issuer. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The v2.0 issuer of {@code tenantId}. */
    public String issuer(String tenantId) {
        return baseUrl() + "/" + tenantId + "/v2.0";
    }

    /** The JWKS URL shared by all tenants, as Entra's common keys endpoint. */
    public String jwksUrl() {
        return baseUrl() + "/common/discovery/v2.0/keys";
    }

    /** The token endpoint of {@code tenantId}. */
    public String tokenUrl(String tenantId) {
        return baseUrl() + "/" + tenantId + "/oauth2/v2.0/token";
    }

    /**
     * Registers one more client, as a publisher registers an app (the connector's own, say): it can
     * use every grant from now on.
     */
    public void register(IssuerClient client) {
        clients.put(client.clientId(), client);
    }

    /**
     * Issues a token for a registered client as the token endpoint would, letting a test change
     * any claim afterwards (an expired token, a wrong audience...).
     */
    public String token(String clientId, String audience, Consumer<JWTClaimsSet.Builder> adjust) {
        IssuerClient client = Optional.ofNullable(clients.get(clientId))
                .orElseThrow(() -> new IllegalArgumentException("unknown client " + clientId));
        JWTClaimsSet.Builder claims = claimsFor(client, audience);
        adjust.accept(claims);
        return sign(claims.build());
    }

    /**
     * Rolls the signing key over, as Entra ID does: tokens are signed with a new key (new
     * {@code kid}) from now on, and the JWKS publishes it beside the previous ones. Not persisted.
     */
    public void rotateKey() {
        RSAKey next = newKey();
        publishedKeys.add(next.toPublicJWK());
        signingKey = next;
    }

    /** How many times the JWKS has been fetched: a flood of forged tokens must not raise it much. */
    public int keyRequests() {
        return keyRequests.get();
    }

    /** The current signing key's public half. */
    public RSAKey publicKey() {
        return signingKey.toPublicJWK();
    }

    /** Signs arbitrary claims with the issuer's key. */
    public String sign(JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.RS256)
                            .type(JOSEObjectType.JWT)
                            .keyID(signingKey.getKeyID())
                            .build(),
                    claims);
            jwt.sign(new RSASSASigner(signingKey));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
    }

    private JWTClaimsSet.Builder claimsFor(IssuerClient client, String audience) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .issuer(issuer(client.tenantId()))
                .audience(audience)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(tokenLifetime)))
                .jwtID(UUID.randomUUID().toString())
                .claim("ver", "2.0")
                .claim("tid", client.tenantId())
                .claim("oid", client.objectId())
                .claim("sub", client.objectId())
                .claim("azp", client.clientId())
                .claim("azpacr", "1")
                .claim("scp", scopeClaim)
                .claim("roles", client.roles());
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            Matcher m;
            if ("GET".equals(method) && AUTHORIZE.matcher(path).matches()) {
                authorize(exchange);
            } else if ("POST".equals(method) && (m = TOKEN.matcher(path)).matches()) {
                issueToken(exchange, m.group(1));
            } else if ("GET".equals(method) && (m = METADATA.matcher(path)).matches()) {
                send(exchange, 200, metadata(m.group(1)));
            } else if ("GET".equals(method) && KEYS.matcher(path).matches()) {
                keyRequests.incrementAndGet();
                send(exchange, 200, new JWKSet(List.copyOf(publishedKeys)).toJSONObject(true));
            } else {
                send(exchange, 404, oauthError("not_found", "no such endpoint: " + method + " " + path));
            }
        }
    }

    private void issueToken(HttpExchange exchange, String tenantId) throws IOException {
        Map<String, String> form =
                parseForm(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        String grantType = form.getOrDefault("grant_type", "");
        if (grantType.equals("authorization_code") || grantType.equals("refresh_token")) {
            redeem(exchange, form, grantType);
            return;
        }
        if (!"client_credentials".equals(grantType)) {
            send(
                    exchange,
                    400,
                    oauthError(
                            "unsupported_grant_type",
                            "client_credentials, authorization_code and refresh_token are supported"));
            return;
        }
        IssuerClient client = clients.get(form.getOrDefault("client_id", ""));
        if (client == null
                || !client.tenantId().equals(tenantId)
                || !constantTimeEquals(client.clientSecret(), form.getOrDefault("client_secret", ""))) {
            send(exchange, 401, oauthError("invalid_client", "unknown client, wrong tenant or wrong secret"));
            return;
        }
        String scope = form.getOrDefault("scope", "");
        if (!scope.endsWith("/.default") || scope.length() <= "/.default".length()) {
            send(exchange, 400, oauthError("invalid_scope", "scope must be '<resource>/.default'"));
            return;
        }
        String audience = scope.substring(0, scope.length() - "/.default".length());
        String token = sign(claimsFor(client, audience).build());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token_type", "Bearer");
        body.put("expires_in", tokenLifetime.toSeconds());
        body.put("ext_expires_in", tokenLifetime.toSeconds());
        body.put("access_token", token);
        send(exchange, 200, body);
    }

    /**
     * The authorization endpoint, as Power Platform uses it when a connection is created: the
     * signed-in user is named by {@code login_hint} ({@code user@tenantId}; there is no sign-in page
     * here, consent is given), and the code goes back to {@code redirect_uri}. PKCE (S256) is
     * required.
     */
    private void authorize(HttpExchange exchange) throws IOException {
        Map<String, String> query = parseForm(
                Optional.ofNullable(exchange.getRequestURI().getRawQuery()).orElse(""));
        IssuerClient client = clients.get(query.getOrDefault("client_id", ""));
        String redirect = query.getOrDefault("redirect_uri", "");
        if (client == null || !(redirect.startsWith("https://") || redirect.startsWith("http://127.0.0.1"))) {
            send(exchange, 400, oauthError("invalid_request", "unknown client_id or unusable redirect_uri"));
            return;
        }
        String hint = query.getOrDefault("login_hint", "");
        int at = hint.indexOf('@');
        String scope = query.getOrDefault("scope", "");
        String resource = resourceOf(scope);
        if (!"code".equals(query.get("response_type"))
                || at <= 0
                || at == hint.length() - 1
                || resource == null
                || query.getOrDefault("code_challenge", "").isEmpty()
                || !"S256".equals(query.get("code_challenge_method"))) {
            send(
                    exchange,
                    400,
                    oauthError(
                            "invalid_request",
                            "response_type=code, login_hint=user@tenant, a scope '<resource>/<scope>' and an S256"
                                    + " code_challenge are required"));
            return;
        }
        String code = randomToken();
        codes.put(
                code,
                new Grant(
                        client.clientId(),
                        redirect,
                        query.getOrDefault("code_challenge", ""),
                        hint.substring(at + 1),
                        hint.substring(0, at),
                        resource,
                        scope,
                        Instant.now().plus(CODE_LIFETIME)));
        String state = query.get("state");
        String location = redirect + (redirect.contains("?") ? "&" : "?") + "code=" + code
                + (state == null ? "" : "&state=" + java.net.URLEncoder.encode(state, StandardCharsets.UTF_8));
        exchange.getResponseHeaders().set("Location", location);
        exchange.sendResponseHeaders(302, -1);
    }

    /** The token endpoint's delegated grants: an authorization code (with its PKCE verifier), or a refresh token. */
    private void redeem(HttpExchange exchange, Map<String, String> form, String grantType) throws IOException {
        IssuerClient client = clients.get(form.getOrDefault("client_id", ""));
        if (client == null || !constantTimeEquals(client.clientSecret(), form.getOrDefault("client_secret", ""))) {
            send(exchange, 401, oauthError("invalid_client", "unknown client or wrong secret"));
            return;
        }
        Grant grant = grantType.equals("authorization_code")
                ? codes.remove(form.getOrDefault("code", ""))
                : refreshTokens.remove(form.getOrDefault("refresh_token", ""));
        if (grant == null || !validFor(grant, client, form, grantType)) {
            send(
                    exchange,
                    400,
                    oauthError(
                            "invalid_grant",
                            "the code or refresh token is unknown, used, expired or not this client's, or the"
                                    + " verifier does not match"));
            return;
        }
        String refresh = randomToken();
        refreshTokens.put(
                refresh,
                new Grant(
                        grant.clientId(),
                        grant.redirectUri(),
                        grant.codeChallenge(),
                        grant.tenantId(),
                        grant.user(),
                        grant.resource(),
                        grant.scopes(),
                        Instant.now().plus(Duration.ofDays(90))));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token_type", "Bearer");
        body.put("scope", grant.scopes());
        body.put("expires_in", tokenLifetime.toSeconds());
        body.put("access_token", sign(delegatedClaims(grant).build()));
        body.put("refresh_token", refresh);
        send(exchange, 200, body);
    }

    private static boolean validFor(Grant grant, IssuerClient client, Map<String, String> form, String grantType) {
        if (!grant.clientId().equals(client.clientId()) || !grant.expires().isAfter(Instant.now())) {
            return false;
        }
        return !grantType.equals("authorization_code")
                || (grant.redirectUri().equals(form.getOrDefault("redirect_uri", ""))
                        && constantTimeEquals(
                                grant.codeChallenge(), challengeOf(form.getOrDefault("code_verifier", ""))));
    }

    /** A user's token for a client: the user's tenant and object id, the client in {@code azp}, the scopes in {@code scp}. */
    private JWTClaimsSet.Builder delegatedClaims(Grant grant) {
        Instant now = Instant.now();
        String oid = UUID.nameUUIDFromBytes(
                        (grant.tenantId() + "/user/" + grant.user()).getBytes(StandardCharsets.UTF_8))
                .toString();
        List<String> scopes = new java.util.ArrayList<>();
        for (String scope : grant.scopes().split(" ")) {
            if (scope.startsWith(grant.resource() + "/")) {
                scopes.add(scope.substring(grant.resource().length() + 1));
            }
        }
        return new JWTClaimsSet.Builder()
                .issuer(issuer(grant.tenantId()))
                .audience(grant.resource())
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(tokenLifetime)))
                .jwtID(UUID.randomUUID().toString())
                .claim("ver", "2.0")
                .claim("tid", grant.tenantId())
                .claim("oid", oid)
                .claim("sub", oid)
                .claim("azp", grant.clientId())
                .claim("azpacr", "1")
                .claim("preferred_username", grant.user() + "@" + grant.tenantId())
                .claim("scp", String.join(" ", scopes));
    }

    /** The resource of the first {@code <resource>/<scope>} in a space-separated scope list, if any. */
    private static @org.jspecify.annotations.Nullable String resourceOf(String scopes) {
        for (String scope : scopes.split(" ")) {
            int slash = scope.lastIndexOf('/');
            if (slash > 0 && slash < scope.length() - 1 && scope.contains("://")) {
                return scope.substring(0, slash);
            }
        }
        return null;
    }

    /** RFC 7636 S256: BASE64URL(SHA-256(verifier)), without padding. */
    private static String challengeOf(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String randomToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private Map<String, Object> metadata(String tenantId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("issuer", issuer(tenantId));
        body.put("token_endpoint", tokenUrl(tenantId));
        body.put("jwks_uri", baseUrl() + "/" + tenantId + "/discovery/v2.0/keys");
        body.put("authorization_endpoint", baseUrl() + "/" + tenantId + "/oauth2/v2.0/authorize");
        body.put("grant_types_supported", List.of("client_credentials", "authorization_code", "refresh_token"));
        body.put("code_challenge_methods_supported", List.of("S256"));
        body.put("id_token_signing_alg_values_supported", List.of("RS256"));
        body.put("token_endpoint_auth_methods_supported", List.of("client_secret_post"));
        body.put("tenant_region_scope", "local");
        return body;
    }

    private static Map<String, Object> oauthError(String code, String description) {
        return Map.of("error", code, "error_description", description);
    }

    private static void send(HttpExchange exchange, int status, Map<String, Object> body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static Map<String, String> parseForm(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(
                        URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    private static boolean constantTimeEquals(String expected, String given) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
