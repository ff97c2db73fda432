package io.flowgate.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Plays the Logic Apps / Power Automate engine against Flowgate knowing nothing but the connector
 * package: the paths, parameters, responses and {@code x-ms-*} extensions of
 * {@code connector/apiDefinition.swagger.json}. Only the host is swapped for the local API's (as a
 * publisher's {@code host} names its own deployment).
 *
 * <p>It does what the engine does with a definition: builds each call from the declared parameters,
 * fills {@code x-ms-dynamic-values} and {@code x-ms-dynamic-schema} by calling the operations they
 * name, follows {@code Location} while the answer is 202, and checks every answer against what is
 * declared for its status: the status itself, the schema, and every declared header.
 */
final class ConnectorEngine {

    /** The connector package, next to this module. */
    static final Path PACKAGE = Path.of("").toAbsolutePath().resolveSibling("connector");

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final SchemaRegistry DRAFT_4 = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4);

    /** A declared operation: its method and path template, its definition and its path item. */
    record Operation(String id, String method, String path, JsonNode definition, JsonNode pathItem) {

        boolean trigger() {
            return definition.has("x-ms-trigger");
        }

        boolean polling() {
            return definition
                    .path("x-ms-trigger-metadata")
                    .path("mode")
                    .asString()
                    .equals("polling");
        }

        boolean internal() {
            return definition.path("x-ms-visibility").asString().equals("internal");
        }

        List<JsonNode> parameters(String in) {
            List<JsonNode> found = new ArrayList<>();
            definition.path("parameters").forEach(p -> {
                if (p.path("in").asString().equals(in)) {
                    found.add(p);
                }
            });
            return found;
        }

        Optional<JsonNode> body() {
            return parameters("body").stream().findFirst();
        }

        /** The body property the engine fills with its callback URL ({@code x-ms-notification-url}). */
        Optional<String> notificationUrlProperty() {
            return body().flatMap(b -> b.path("schema").path("properties").properties().stream()
                    .filter(p -> p.getValue().path("x-ms-notification-url").asBoolean(false))
                    .map(Map.Entry::getKey)
                    .findFirst());
        }

        /** What an answer of {@code status} is declared as; fails when the status is not declared. */
        JsonNode response(int status) {
            JsonNode response = definition.path("responses").get(String.valueOf(status));
            assertThat(response)
                    .as(
                            "%s %s declares no %d answer (declared: %s)",
                            method, path, status, definition.path("responses"))
                    .isNotNull();
            return response;
        }

        /** The path template as a pattern, each {@code {name}} one URL segment. */
        Pattern pattern() {
            return Pattern.compile(path.replaceAll("\\{[^}]+}", "([^/]+)"));
        }
    }

    /** One answer: to which declared operation, its status, its headers and its body. */
    record Answer(Operation operation, int status, Map<String, List<String>> headers, String body) {

        Optional<String> header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst())
                    .findFirst();
        }

        URI location() {
            return URI.create(header("Location")
                    .orElseThrow(() -> new AssertionError(
                            operation.id() + " answered " + status + " without a Location: " + body)));
        }

        JsonNode json() {
            return body.isEmpty() ? JSON.missingNode() : JSON.readTree(body);
        }
    }

    private final JsonNode definition;
    private final String apiBase;
    private final String token;
    private final List<Operation> operations = new ArrayList<>();

    ConnectorEngine(String apiBase, String token) {
        this.definition = read("apiDefinition.swagger.json");
        this.apiBase = apiBase;
        this.token = token;
        assertThat(definition.path("basePath").asString()).isEqualTo("/");
        definition
                .path("paths")
                .properties()
                .forEach(path -> path.getValue().properties().stream()
                        .filter(method -> !method.getKey().startsWith("x-"))
                        .forEach(method -> operations.add(new Operation(
                                method.getValue().path("operationId").asString(),
                                method.getKey().toUpperCase(java.util.Locale.ROOT),
                                path.getKey(),
                                method.getValue(),
                                path.getValue()))));
    }

    /** A file of the connector package, as JSON. */
    static JsonNode read(String file) {
        try {
            return JSON.readTree(Files.readString(PACKAGE.resolve(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<Operation> operations() {
        return List.copyOf(operations);
    }

    Operation operation(String operationId) {
        return operations.stream()
                .filter(o -> o.id().equals(operationId))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no operation " + operationId + " is declared"));
    }

    /** The declared operation that {@code method} on {@code url} is: a URL must name one. */
    Operation declaredAt(String method, URI url) {
        assertThat(url.toString()).as("an absolute URL of the API").startsWith(apiBase + "/");
        return operations.stream()
                .filter(o -> o.method().equals(method)
                        && o.pattern().matcher(url.getRawPath()).matches())
                .findFirst()
                .orElseThrow(() -> new AssertionError(method + " " + url + " is no declared operation"));
    }

    /**
     * Calls {@code operation} with {@code values} for its declared path, query and header parameters
     * (parameters left out are not sent; a required one must be given) and {@code body}.
     */
    Answer call(Operation operation, Map<String, String> values, JsonNode body) {
        String path = operation.path();
        for (JsonNode parameter : operation.parameters("path")) {
            String name = parameter.path("name").asString();
            String value = values.get(name);
            assertThat(value)
                    .as("the path parameter " + name + " of " + operation.id())
                    .isNotNull();
            path = path.replace("{" + name + "}", URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
        assertThat(path)
                .as(operation.id() + " declares every parameter of its path")
                .doesNotContain("{");
        StringBuilder query = new StringBuilder();
        for (JsonNode parameter : operation.parameters("query")) {
            String name = parameter.path("name").asString();
            if (values.containsKey(name)) {
                query.append(query.isEmpty() ? '?' : '&')
                        .append(name)
                        .append('=')
                        .append(URLEncoder.encode(values.get(name), StandardCharsets.UTF_8));
            } else {
                assertThat(parameter.path("required").asBoolean(false))
                        .as("the required query parameter " + name + " of " + operation.id())
                        .isFalse();
            }
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (JsonNode parameter : operation.parameters("header")) {
            String name = parameter.path("name").asString();
            if (values.containsKey(name)) {
                headers.put(name, values.get(name));
            }
        }
        java.util.Set<String> declared = new java.util.HashSet<>();
        for (String in : List.of("path", "query", "header")) {
            operation.parameters(in).forEach(p -> declared.add(p.path("name").asString()));
        }
        List<String> undeclared = values.keySet().stream()
                .filter(name -> !declared.contains(name))
                .toList();
        assertThat(undeclared)
                .as("parameters %s does not declare", operation.id())
                .isEmpty();
        if (body != null) {
            assertThat(operation.body()).as(operation.id() + " declares a body").isPresent();
        }
        return send(operation, URI.create(apiBase + path + query), headers, body);
    }

    /** Calls a URL the API answered with ({@code Location}), which must name a declared operation. */
    Answer follow(String method, URI url) {
        return send(declaredAt(method, url), url, Map.of(), null);
    }

    /**
     * Follows an answer's {@code Location} while it is 202 (waiting its {@code Retry-After}, capped
     * at a second here), checking each answer; answers the last one.
     */
    Answer toTheEnd(Answer answer, Duration within) {
        java.util.concurrent.atomic.AtomicReference<Answer> current =
                new java.util.concurrent.atomic.AtomicReference<>(answer);
        // A poll a second: the Retry-After the status URL answers on this stack (longer ones are capped
        // to keep the tests short, as the engine's own polling would be by a flow's timeout).
        org.awaitility.Awaitility.await()
                .atMost(within)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    Answer latest = current.get();
                    if (latest.status() != 202) {
                        return true;
                    }
                    check(latest, Map.of());
                    Operation status = declaredAt("GET", latest.location());
                    assertThat(status.internal() || status.trigger())
                            .as("202 points at an operation the engine polls")
                            .isTrue();
                    current.set(follow("GET", latest.location()));
                    return current.get().status() != 202;
                });
        return current.get();
    }

    /**
     * Checks {@code answer} against its operation's declaration: a declared status, a body valid
     * against the declared schema (a dynamic schema fetched as the designer does, with {@code values}
     * for the parameters it refers to), and every declared header present and of its type.
     */
    void check(Answer answer, Map<String, String> values) {
        JsonNode declared = answer.operation().response(answer.status());
        declared.path("headers").properties().forEach(header -> {
            String value = answer.header(header.getKey())
                    .orElseThrow(() -> new AssertionError(answer.operation().id() + " " + answer.status()
                            + " lacks its declared header " + header.getKey()));
            if (header.getValue().path("type").asString().equals("integer")) {
                assertThat(value).as(header.getKey()).matches("-?\\d+");
            }
        });
        JsonNode schema = declared.get("schema");
        if (schema != null) {
            validate(resolved(schema, values), answer.json(), answer.operation().id() + " " + answer.status());
        }
    }

    /** Checks {@code body} against {@code schema}, a schema of the definition (x-ms-* ignored). */
    static void validate(JsonNode schema, JsonNode body, String what) {
        assertThat(body.isMissingNode()).as(what + " has a body").isFalse();
        List<Error> errors = DRAFT_4.getSchema(plain(schema)).validate(body);
        assertThat(errors).as(what + ": " + body).isEmpty();
    }

    /** A schema as the engine sees it: an {@code x-ms-dynamic-schema} replaced by what its operation answers. */
    JsonNode resolved(JsonNode schema, Map<String, String> values) {
        JsonNode dynamic = schema.get("x-ms-dynamic-schema");
        if (dynamic == null) {
            return schema;
        }
        Operation source = operation(dynamic.path("operationId").asString());
        Map<String, String> arguments = new LinkedHashMap<>();
        dynamic.path("parameters").properties().forEach(argument -> {
            String from = argument.getValue().path("parameter").asString();
            assertThat(values)
                    .as("the value of " + from + " for " + source.id())
                    .containsKey(from);
            arguments.put(argument.getKey(), values.get(from));
        });
        Answer answer = call(source, arguments, null);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        check(answer, arguments);
        JsonNode found = answer.json();
        for (String step : dynamic.path("value-path").asString().split("/")) {
            found = found.path(step);
        }
        assertThat(found.isObject()).as("the dynamic schema at " + dynamic).isTrue();
        return found;
    }

    /** The values an {@code x-ms-dynamic-values} parameter offers, fetched as the designer does. */
    List<String> dynamicValues(Operation operation, String parameter) {
        JsonNode dynamic = operation
                .definition()
                .path("parameters")
                .valueStream()
                .filter(p -> p.path("name").asString().equals(parameter))
                .findFirst()
                .orElseThrow()
                .get("x-ms-dynamic-values");
        assertThat(dynamic)
                .as(parameter + " of " + operation.id() + " has dynamic values")
                .isNotNull();
        Operation source = operation(dynamic.path("operationId").asString());
        Answer answer = call(source, Map.of(), null);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        check(answer, Map.of());
        List<String> found = new ArrayList<>();
        answer.json()
                .path(dynamic.path("value-collection").asString())
                .forEach(item -> found.add(
                        item.path(dynamic.path("value-path").asString()).asString()));
        return found;
    }

    private Answer send(Operation operation, URI url, Map<String, String> headers, JsonNode body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .header("x-ms-workflow-run-id", "08584-contract-test")
                .method(
                        operation.method(),
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body.toString()));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(
                    operation, response.statusCode(), response.headers().map(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The schema without the definition's own extensions, which a JSON Schema validator does not know. */
    private static JsonNode plain(JsonNode schema) {
        if (!schema.isObject()) {
            return schema;
        }
        ObjectNode copy = JSON.createObjectNode();
        schema.properties().forEach(entry -> {
            String keyword = entry.getKey();
            JsonNode value = entry.getValue();
            if (keyword.startsWith("x-ms-") || keyword.equals("example")) {
                return;
            }
            if (keyword.equals("properties")) {
                ObjectNode properties = copy.putObject("properties");
                value.properties().forEach(p -> properties.set(p.getKey(), plain(p.getValue())));
            } else if (keyword.equals("items") || keyword.equals("additionalProperties")) {
                copy.set(keyword, plain(value));
            } else if (keyword.equals("allOf") && value.isArray()) {
                var all = copy.putArray("allOf");
                value.forEach(item -> all.add(plain(item)));
            } else {
                copy.set(keyword, value);
            }
        });
        return copy;
    }
}
