package io.flowgate.connector;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowgate.contracts.Triggers;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Each rule, broken on purpose in a copy of the definition, is reported; nothing else is. */
class CertificationRulesTests {

    private static final String ECHO = "/api/v1/operations/jsonata-transform";
    private static final String POLL = "/api/v1/triggers/event-received/poll";
    private static final String HOOK = "/api/v1/triggers/event-received/subscriptions";
    private static final String UNSUBSCRIBE = "/api/v1/subscriptions/{subscriptionId}";

    private static ObjectNode definition() {
        return ConnectorDefinition.of(
                Publisher.read(Path.of("").toAbsolutePath().resolve("publisher.json")),
                BuiltinCatalog.operations(),
                Triggers.all());
    }

    private static ObjectNode op(ObjectNode swagger, String path, String method) {
        return (ObjectNode) swagger.get("paths").get(path).get(method);
    }

    private static ObjectNode parameter(ObjectNode swagger, String path, String method, String name) {
        for (var parameter : op(swagger, path, method).get("parameters")) {
            if (parameter.get("name").asString().equals(name)) {
                return (ObjectNode) parameter;
            }
        }
        throw new IllegalArgumentException(name);
    }

    static Stream<Arguments> brokenCopies() {
        return Stream.of(
                broken("title", s -> s.withObjectProperty("info").put("title", "Flowgate Connector")),
                broken("title", s -> s.withObjectProperty("info").put("title", "Flowgate, the gate for every flow!")),
                broken("description", s -> s.withObjectProperty("info").put("description", "Too short.")),
                broken(
                        "contact",
                        s -> s.withObjectProperty("info")
                                .withObjectProperty("contact")
                                .remove("email")),
                broken("host", s -> s.put("host", "https://flowgate.example.com/api")),
                broken("https", s -> s.putArray("schemes").add("http")),
                broken(
                        "categories",
                        s -> ((ObjectNode) s.get("x-ms-connector-metadata").get(2))
                                .put("propertyValue", "Productivity;Data;AI")),
                broken(
                        "categories",
                        s -> ((ObjectNode) s.get("x-ms-connector-metadata").get(2)).put("propertyValue", "Gardening")),
                broken("connector-metadata", s -> ((ArrayNode) s.get("x-ms-connector-metadata")).remove(1)),
                broken("operation-id", s -> op(s, ECHO, "post").put("operationId", "jsonataTransform")),
                broken("operation-id", s -> op(s, ECHO, "post").put("operationId", "RunOperation")),
                broken("summary", s -> op(s, ECHO, "post").put("summary", "Transform JSON/XML")),
                broken("summary", s -> op(s, ECHO, "post").put("summary", "Transform JSON.")),
                broken("summary", s -> op(s, ECHO, "post").put("summary", "x".repeat(81))),
                broken("description", s -> op(s, ECHO, "post").put("description", "No period at the end")),
                broken("produces", s -> op(s, ECHO, "post").remove("produces")),
                broken(
                        "parameter-summary",
                        s -> parameter(s, ECHO, "post", "input").remove("x-ms-summary")),
                broken(
                        "parameter-description",
                        s -> parameter(s, ECHO, "post", "input").remove("description")),
                broken(
                        "path-parameter",
                        s -> parameter(s, UNSUBSCRIBE, "delete", "subscriptionId")
                                .remove("x-ms-url-encoding")),
                broken(
                        "path-parameter",
                        s -> parameter(s, UNSUBSCRIBE, "delete", "subscriptionId")
                                .put("required", false)),
                broken(
                        "connection-id",
                        s -> parameter(s, ECHO, "post", "Prefer").put("name", "connectionId")),
                broken(
                        "internal-default",
                        s -> parameter(s, ECHO, "post", "Prefer")
                                .put("x-ms-visibility", "internal")
                                .put("required", true)),
                broken(
                        "get-body",
                        s -> ((ArrayNode) op(s, POLL, "get").get("parameters"))
                                .addObject()
                                .put("name", "body")
                                .put("in", "body")
                                .put("description", "A body.")
                                .put("x-ms-summary", "Body")),
                broken(
                        "one-body",
                        s -> ((ArrayNode) op(s, ECHO, "post").get("parameters"))
                                .addObject()
                                .put("name", "second")
                                .put("in", "body")
                                .put("description", "Another body.")
                                .put("x-ms-summary", "Second")),
                broken(
                        "response-schema",
                        s -> ((ObjectNode) op(s, ECHO, "post").get("responses").get("200")).remove("schema")),
                broken(
                        "default-response",
                        s -> ((ObjectNode) op(s, ECHO, "post").get("responses").get("default"))
                                .putObject("schema")
                                .put("type", "object")),
                broken("trigger-summary", s -> op(s, HOOK, "post").put("summary", "Event received")),
                broken(
                        "webhook-trigger",
                        s -> ((ObjectNode) s.get("paths").get(HOOK)).remove("x-ms-notification-content")),
                broken("webhook-trigger", s -> op(s, HOOK, "post").remove("x-ms-no-generic-test")),
                broken(
                        "notification-url",
                        s -> ((ObjectNode) parameter(s, HOOK, "post", "body")
                                        .get("schema")
                                        .get("properties")
                                        .get("callbackUrl"))
                                .remove("x-ms-visibility")),
                broken(
                        "notification-url",
                        s -> ((ObjectNode) parameter(s, HOOK, "post", "body").get("schema")).putArray("required")),
                broken(
                        "polling-trigger",
                        s -> op(s, POLL, "get")
                                .withObjectProperty("x-ms-trigger-metadata")
                                .put("mode", "push")),
                broken(
                        "polling-trigger",
                        s -> ((ObjectNode) op(s, POLL, "get").get("responses").get("202"))
                                .withObjectProperty("headers")
                                .remove("Retry-After")),
                broken("webhook-delete", s -> op(s, UNSUBSCRIBE, "delete").remove("x-ms-no-generic-test")),
                broken("async-status", s -> op(s, "/api/v1/jobs/{jobId}", "get").put("x-ms-visibility", "important")),
                broken(
                        "dynamic-reference",
                        s -> op(s, "/api/v1/operations", "get").put("operationId", "GetCatalog")));
    }

    private static Arguments broken(String rule, Consumer<ObjectNode> breakIt) {
        return Arguments.of(rule, breakIt);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("brokenCopies")
    void aBrokenRuleIsReported(String rule, Consumer<ObjectNode> breakIt) {
        ObjectNode copy = definition();
        breakIt.accept(copy);
        assertThat(CertificationRules.check(copy, 10_000))
                .isNotEmpty()
                .extracting(CertificationRules.Violation::rule)
                .contains(rule);
    }
}
