package io.flowgate.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowgate.issuer.DemoTenants;
import io.flowgate.issuer.IssuerClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The connector package is the contract: this test plays the engine from it alone (see
 * {@link ConnectorEngine}). The connection's token comes the way Power Platform gets it, from the
 * client id, scopes and resource of {@code apiProperties.json}; every action is called, every async
 * answer followed to its end, the webhook action subscribed through its declared notification-url
 * property, every trigger fired, and every subscription removed through the {@code DELETE} its
 * {@code Location} names. An operation, trigger or parameter that the API serves differently from
 * the package's declaration fails here.
 */
class ConnectorContractSystemTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration WITHIN = Duration.ofSeconds(30);
    /** The connector app's secret: the publisher gives it to Power Platform when creating the connector. */
    private static final String CONNECTOR_SECRET = "connector-secret-" + UUID.randomUUID();

    private static TestTenant tenant;
    private static ConnectorEngine engine;
    private static Receiver receiver;

    @BeforeAll
    static void connect() {
        var stack = SharedStack.get();
        tenant = TestTenant.fresh();
        JsonNode oauth = ConnectorEngine.read("apiProperties.json")
                .path("properties")
                .path("connectionParameters")
                .path("token")
                .path("oAuthSettings");
        assertThat(oauth.path("identityProvider").asString()).isEqualTo("aad");
        String clientId = oauth.path("clientId").asString();
        String resource =
                oauth.path("customParameters").path("resourceUri").path("value").asString();
        List<String> scopes = new ArrayList<>();
        oauth.path("scopes").forEach(scope -> scopes.add(scope.asString()));
        // The publisher's multi-tenant app: registered in its own tenant, signed in to from any tenant.
        stack.issuer().register(new IssuerClient(DemoTenants.OPERATOR, clientId, CONNECTOR_SECRET, List.of()));

        JsonNode granted = Tokens.authorizationCode(
                stack,
                clientId,
                CONNECTOR_SECRET,
                String.join(" ", scopes) + " offline_access",
                oauth.path("redirectUrl").asString(),
                "flow-author@" + tenant.id());
        // A connection renews its token with the refresh token; the renewed one is the one used.
        JsonNode renewed = Tokens.refresh(
                stack, clientId, CONNECTOR_SECRET, granted.path("refresh_token").asString());
        String token = renewed.path("access_token").asString();
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        assertThat(claims.path("aud").asString()).isEqualTo(resource);
        assertThat(claims.path("tid").asString()).isEqualTo(tenant.id());
        assertThat(claims.path("azp").asString()).isEqualTo(clientId);

        engine = new ConnectorEngine(stack.apiUrl(), token);
        receiver = new Receiver();
    }

    @AfterAll
    static void close() {
        if (receiver != null) {
            receiver.close();
        }
    }

    /** The operations a designer lists as actions: visible, not triggers, no callback of their own. */
    private static List<ConnectorEngine.Operation> plainActions() {
        return engine.operations().stream()
                .filter(o -> !o.trigger() && !o.internal() && o.method().equals("POST"))
                .filter(o -> o.notificationUrlProperty().isEmpty())
                .toList();
    }

    private static JsonNode testValue(ConnectorEngine.Operation action) {
        JsonNode value = action.body().orElseThrow().get("x-ms-test-value");
        assertThat(value)
                .as(action.id() + " declares no x-ms-test-value to call it with")
                .isNotNull();
        return value;
    }

    @Test
    void everyActionAnswersAsDeclaredBothWaitingAndAsynchronously() {
        List<ConnectorEngine.Operation> actions = plainActions().stream()
                .filter(o -> o.parameters("path").isEmpty())
                .toList();
        assertThat(actions).hasSizeGreaterThanOrEqualTo(4);
        for (ConnectorEngine.Operation action : actions) {
            // As a flow step with default settings: the engine waits, and follows a 202 if one comes.
            ConnectorEngine.Answer waited = engine.call(action, Map.of(), testValue(action));
            ConnectorEngine.Answer end = engine.toTheEnd(waited, WITHIN);
            assertThat(end.status()).as(action.id() + ": " + end.body()).isEqualTo(200);
            engine.check(end, Map.of());
            // The result is the action's output: it must fit the action's declared 200 schema.
            ConnectorEngine.validate(action.response(200).get("schema"), end.json(), action.id() + " result");

            // Asynchronous: the declared Prefer value answers 202 at once, with a status URL to poll.
            String async = action.parameters("header").stream()
                    .filter(p -> p.path("name").asString().equals("Prefer"))
                    .findFirst()
                    .orElseThrow()
                    .path("enum")
                    .get(0)
                    .asString();
            ConnectorEngine.Answer accepted = engine.call(action, Map.of("Prefer", async), testValue(action));
            assertThat(accepted.status())
                    .as(action.id() + ": " + accepted.body())
                    .isEqualTo(202);
            engine.check(accepted, Map.of());
            assertThat(engine.declaredAt("GET", accepted.location()).id()).isEqualTo("GetJobStatus");
            ConnectorEngine.Answer done = engine.toTheEnd(accepted, WITHIN);
            assertThat(done.status()).as(done.body()).isEqualTo(200);
            ConnectorEngine.validate(action.response(200).get("schema"), done.json(), action.id() + " result");
        }
    }

    @Test
    void runAnOperationOffersEveryOperationWithTheSchemasItServes() {
        ConnectorEngine.Operation run = engine.operation("RunOperation");
        List<String> offered = engine.dynamicValues(run, "operation");
        List<String> declared = plainActions().stream()
                .filter(o -> o.parameters("path").isEmpty())
                .map(o -> o.path().substring(o.path().lastIndexOf('/') + 1))
                .toList();
        assertThat(offered).containsExactlyInAnyOrderElementsOf(declared);
        for (String operation : offered) {
            Map<String, String> values = Map.of("operation", operation);
            // The designer fetches the input's schema; its example is what a user would type.
            JsonNode input = engine.resolved(run.body().orElseThrow().get("schema"), values);
            JsonNode example = input.get("example");
            assertThat(example).as(operation + "'s input schema has an example").isNotNull();
            ConnectorEngine.validate(input, example, operation + " example");
            ConnectorEngine.Answer end = engine.toTheEnd(engine.call(run, values, example), WITHIN);
            assertThat(end.status()).as(operation + ": " + end.body()).isEqualTo(200);
            engine.check(end, values);
            ConnectorEngine.validate(
                    engine.resolved(run.response(200).get("schema"), values), end.json(), operation + " result");
        }
    }

    @Test
    void aRunningJobIsCancelledThroughItsDeclaredDelete() {
        ConnectorEngine.Operation delay = engine.operation("Delay");
        ObjectNode longer = ((ObjectNode) testValue(delay).deepCopy()).put("seconds", 20);
        ConnectorEngine.Answer accepted = engine.call(delay, Map.of("Prefer", "respond-async"), longer);
        assertThat(accepted.status()).isEqualTo(202);
        URI status = accepted.location();
        ConnectorEngine.Operation cancel = engine.operation("CancelJob");
        String jobId = status.getPath().substring(status.getPath().lastIndexOf('/') + 1);
        ConnectorEngine.Answer cancelled = engine.call(cancel, Map.of("jobId", jobId), null);
        assertThat(cancelled.status()).as(cancelled.body()).isEqualTo(204);
        engine.check(cancelled, Map.of());
        ConnectorEngine.Answer end = engine.toTheEnd(engine.follow("GET", status), WITHIN);
        // A cancelled job answers a problem: the engine fails the action with it.
        assertThat(end.status()).as(end.body()).isBetween(400, 499);
        assertThat(end.header("Content-Type").orElse("")).startsWith("application/problem+json");
    }

    @Test
    void theWebhookActionCallsBackAsDeclaredAndUnsubscribesThroughLocation() {
        ConnectorEngine.Operation subscribe = engine.operation("RunOperationWithCallback");
        String property = subscribe.notificationUrlProperty().orElseThrow();
        String operation = "jsonata-transform";
        assertThat(engine.dynamicValues(subscribe, "operation")).contains(operation);
        Map<String, String> values = Map.of("operation", operation);
        JsonNode bodySchema = subscribe.body().orElseThrow().get("schema");
        JsonNode inputSchema = engine.resolved(bodySchema.path("properties").get("input"), values);
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        String path = "/action/" + UUID.randomUUID();
        body.put(property, receiver.url(path, "sig"));
        body.set("input", inputSchema.get("example").deepCopy());

        ConnectorEngine.Answer created = engine.call(subscribe, values, body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        engine.check(created, values);
        URI subscription = created.location();
        assertThat(engine.declaredAt("DELETE", subscription).id()).isEqualTo("DeleteSubscription");

        Receiver.Call callback = receiver.await(path, 1, WITHIN).getFirst();
        JsonNode delivered = JSON.readTree(callback.body());
        ConnectorEngine.validate(
                subscribe.pathItem().path("x-ms-notification-content").path("schema"), delivered, "the callback");
        assertThat(delivered.path("status").asString()).isEqualTo("succeeded");
        ConnectorEngine.validate(
                engine.resolved(engine.operation("RunOperation").response(200).get("schema"), values),
                delivered.path("result"),
                "the callback's result");

        // The engine unsubscribes when the run ends or is cancelled: DELETE on the Location.
        ConnectorEngine.Answer removed = engine.follow("DELETE", subscription);
        assertThat(removed.status()).as(removed.body()).isEqualTo(204);
        engine.check(removed, Map.of());
    }

    /** Makes {@code trigger}'s kind of item happen, as the tenant's own systems or flows would. */
    private static void produce(String trigger) {
        switch (trigger) {
            case "event-received" -> tenant.publish(1, 1, "order.created");
            case "job-completed" -> {
                ConnectorEngine.Operation action = engine.operation("JsonataTransform");
                assertThat(engine.toTheEnd(engine.call(action, Map.of(), testValue(action)), WITHIN)
                                .status())
                        .isEqualTo(200);
            }
            default ->
                throw new AssertionError(
                        "the contract test does not know how to make " + trigger + " fire: add it to produce()");
        }
    }

    private static String triggerName(ConnectorEngine.Operation trigger) {
        return trigger.path().split("/")[4];
    }

    @Test
    void everyPollingTriggerFiresAsDeclared() {
        List<ConnectorEngine.Operation> triggers = engine.operations().stream()
                .filter(o -> o.trigger() && o.polling())
                .toList();
        assertThat(triggers).hasSizeGreaterThanOrEqualTo(2);
        for (ConnectorEngine.Operation trigger : triggers) {
            // The engine's first poll starts the cursor: nothing yet, ask again at Location.
            ConnectorEngine.Answer first = engine.call(trigger, Map.of(), null);
            assertThat(first.status()).as(trigger.id() + ": " + first.body()).isEqualTo(202);
            engine.check(first, Map.of());
            assertThat(engine.declaredAt("GET", first.location())).isEqualTo(trigger);

            produce(triggerName(trigger));
            // Polled as the engine does: each 202's Location, a poll a second, until the item.
            ConnectorEngine.Answer answer = engine.toTheEnd(engine.follow("GET", first.location()), WITHIN);
            assertThat(answer.status()).as(trigger.id() + ": " + answer.body()).isEqualTo(200);
            engine.check(answer, Map.of());
            assertThat(engine.declaredAt("GET", answer.location())).isEqualTo(trigger);
        }
    }

    @Test
    void everyWebhookTriggerFiresAsDeclaredAndUnsubscribesThroughLocation() {
        List<ConnectorEngine.Operation> triggers = engine.operations().stream()
                .filter(o -> o.trigger() && !o.polling())
                .toList();
        assertThat(triggers).hasSizeGreaterThanOrEqualTo(2);
        for (ConnectorEngine.Operation trigger : triggers) {
            assertThat(trigger.pathItem().has("x-ms-notification-content")).isTrue();
            String path = "/trigger/" + UUID.randomUUID();
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            body.put(trigger.notificationUrlProperty().orElseThrow(), receiver.url(path, "sig"));
            ConnectorEngine.Answer created = engine.call(trigger, new HashMap<>(), body);
            assertThat(created.status())
                    .as(trigger.id() + ": " + created.body())
                    .isEqualTo(201);
            engine.check(created, Map.of());
            URI subscription = created.location();
            assertThat(engine.declaredAt("DELETE", subscription).id()).isEqualTo("DeleteSubscription");

            produce(triggerName(trigger));
            Receiver.Call callback = receiver.await(path, 1, WITHIN).getFirst();
            ConnectorEngine.validate(
                    trigger.pathItem().path("x-ms-notification-content").path("schema"),
                    JSON.readTree(callback.body()),
                    trigger.id() + " callback");

            ConnectorEngine.Answer removed = engine.follow("DELETE", subscription);
            assertThat(removed.status()).as(removed.body()).isEqualTo(204);
            engine.check(removed, Map.of());
        }
    }
}
