package io.flowgate.connector;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The rules Power Platform's certification applies to a connector definition, beyond its JSON
 * Schema (which the tests check separately): names and texts, parameters, responses, and how
 * triggers, async actions and dynamic values must be declared.
 *
 * <p>Written by hand: Microsoft's validator is not published as a library, and these rules are its
 * documented behaviour ({@code docs/connector.md} lists them with their sources).
 */
public final class CertificationRules {

    /** One broken rule: which, where in the definition, and what is wrong. */
    public record Violation(String rule, String where, String message) {
        @Override
        public String toString() {
            return rule + " at " + where + ": " + message;
        }
    }

    /** The categories Power Platform offers a connector. */
    public static final Set<String> CATEGORIES = Set.of(
            "AI",
            "Business Management",
            "Business Intelligence",
            "Collaboration",
            "Commerce",
            "Communication",
            "Content and Files",
            "Finance",
            "Data",
            "Human Resources",
            "Internet of Things",
            "IT Operations",
            "Lifestyle and Entertainment",
            "Marketing",
            "Productivity",
            "Sales and CRM",
            "Security",
            "Social Media",
            "Website");

    private static final Pattern PASCAL = Pattern.compile("^[A-Z][A-Za-z0-9]*$");
    private static final List<String> FORBIDDEN_IN_TITLE = List.of(
            "api", "connector", "power automate", "power apps", "logic apps", "power platform", "microsoft flow");
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");
    private static final int MAX_SIZE = 1024 * 1024;

    private final List<Violation> violations = new ArrayList<>();

    private CertificationRules() {}

    /** Every rule {@code definition} breaks; empty when it passes. */
    public static List<Violation> check(JsonNode definition, int sizeInBytes) {
        var rules = new CertificationRules();
        rules.all(definition, sizeInBytes);
        return List.copyOf(rules.violations);
    }

    private void all(JsonNode swagger, int size) {
        require(size < MAX_SIZE, "size", "", "the definition is " + size + " bytes, the limit is 1 MB");
        require("2.0".equals(text(swagger, "swagger")), "openapi-2", "swagger", "must be \"2.0\"");
        info(swagger.path("info"));
        require(
                !text(swagger, "host").isEmpty()
                        && !text(swagger, "host").contains("/")
                        && !text(swagger, "host").contains(":"),
                "host",
                "host",
                "a host name without scheme or path");
        require(text(swagger, "basePath").startsWith("/"), "base-path", "basePath", "must start with /");
        JsonNode schemes = swagger.path("schemes");
        require(
                schemes.size() == 1 && "https".equals(schemes.path(0).asString("")),
                "https",
                "schemes",
                "must be [\"https\"]");
        metadata(swagger.path("x-ms-connector-metadata"));

        Set<String> operationIds = new HashSet<>();
        Set<String> internalDeletes = new HashSet<>();
        List<String> asyncActions = new ArrayList<>();
        boolean internalStatusGet = false;
        for (Map.Entry<String, JsonNode> path : swagger.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> method : path.getValue().properties()) {
                if (!METHODS.contains(method.getKey())) {
                    continue;
                }
                String where = method.getKey().toUpperCase(java.util.Locale.ROOT) + " " + path.getKey();
                JsonNode operation = method.getValue();
                operation(where, operation, operationIds);
                parameters(where, method.getKey(), path.getKey(), operation.path("parameters"));
                responses(where, operation.path("responses"));
                boolean internal = "internal".equals(text(operation, "x-ms-visibility"));
                if (method.getKey().equals("delete") && internal) {
                    internalDeletes.add(where);
                    require(
                            operation.path("x-ms-no-generic-test").asBoolean(false),
                            "webhook-delete",
                            where,
                            "the unsubscribe DELETE needs x-ms-no-generic-test");
                }
                if (operation.has("x-ms-trigger")) {
                    trigger(where, path.getValue(), operation);
                } else if (operation.path("responses").has("202")) {
                    if (method.getKey().equals("get") && internal) {
                        internalStatusGet |= hasHeader(
                                        operation.path("responses").path("202"), "Location")
                                && operation.path("responses").path("200").has("schema");
                    } else {
                        asyncActions.add(where);
                    }
                }
            }
        }
        boolean webhooks = hasWebhooks(swagger);
        require(
                !webhooks || !internalDeletes.isEmpty(),
                "webhook-delete",
                "paths",
                "a webhook needs an internal DELETE operation to unsubscribe");
        require(
                asyncActions.isEmpty() || internalStatusGet,
                "async-status",
                String.join(", ", asyncActions),
                "an async action needs an internal status GET with a 200 schema and a 202 with Location");
        dynamicReferences(swagger, operationIds);
    }

    private void info(JsonNode info) {
        String title = text(info, "title");
        require(
                !title.isEmpty() && title.length() <= 30,
                "title",
                "info.title",
                "1 to 30 characters, is " + title.length());
        String lower = title.toLowerCase(java.util.Locale.ROOT);
        for (String word : FORBIDDEN_IN_TITLE) {
            require(
                    !Pattern.compile("\\b" + Pattern.quote(word) + "\\b")
                            .matcher(lower)
                            .find(),
                    "title",
                    "info.title",
                    "must not contain \"" + word + "\"");
        }
        require(
                !title.isEmpty() && Character.isLetterOrDigit(title.charAt(title.length() - 1)),
                "title",
                "info.title",
                "must end in a letter or digit");
        String description = text(info, "description");
        require(
                description.length() >= 30 && description.length() <= 500,
                "description",
                "info.description",
                "30 to 500 characters, is " + description.length());
        JsonNode contact = info.path("contact");
        for (String field : List.of("name", "url", "email")) {
            require(!text(contact, field).isEmpty(), "contact", "info.contact", "needs " + field);
        }
    }

    private void metadata(JsonNode metadata) {
        Map<String, String> properties = new java.util.HashMap<>();
        metadata.forEach(entry -> properties.put(text(entry, "propertyName"), text(entry, "propertyValue")));
        for (String name : List.of("Website", "Privacy policy", "Categories")) {
            require(
                    !properties.getOrDefault(name, "").isEmpty(),
                    "connector-metadata",
                    "x-ms-connector-metadata",
                    "needs " + name);
        }
        String categories = properties.getOrDefault("Categories", "");
        List<String> listed = categories.isEmpty() ? List.of() : List.of(categories.split(";"));
        require(listed.size() <= 2, "categories", "x-ms-connector-metadata", "at most two categories");
        for (String category : listed) {
            require(
                    CATEGORIES.contains(category),
                    "categories",
                    "x-ms-connector-metadata",
                    "\"" + category + "\" is not a Power Platform category");
        }
    }

    private void operation(String where, JsonNode operation, Set<String> operationIds) {
        String id = text(operation, "operationId");
        require(PASCAL.matcher(id).matches(), "operation-id", where, "operationId \"" + id + "\" is not PascalCase");
        require(operationIds.add(id), "operation-id", where, "operationId \"" + id + "\" is not unique");
        String summary = text(operation, "summary");
        require(
                !summary.isEmpty() && summary.length() <= 80,
                "summary",
                where,
                "1 to 80 characters, is " + summary.length());
        require(!summary.contains("/"), "summary", where, "must not contain /");
        require(
                summary.isEmpty() || Character.isLetterOrDigit(summary.charAt(summary.length() - 1)),
                "summary",
                where,
                "must not end in punctuation");
        String description = text(operation, "description");
        require(description.endsWith("."), "description", where, "a full sentence ending with a period");
        require(!description.equals(summary), "description", where, "must differ from the summary");
        require(operation.has("consumes"), "consumes", where, "declare consumes");
        require(operation.has("produces"), "produces", where, "declare produces");
        if (operation.has("x-ms-trigger")) {
            require(summary.startsWith("When a"), "trigger-summary", where, "a trigger's summary reads \"When a ...\"");
        }
    }

    private void parameters(String where, String method, String path, JsonNode parameters) {
        int bodies = 0;
        Set<String> inPath = new HashSet<>();
        var matcher = Pattern.compile("\\{([^}]+)}").matcher(path);
        while (matcher.find()) {
            inPath.add(matcher.group(1));
        }
        for (JsonNode parameter : parameters) {
            String name = text(parameter, "name");
            String at = where + " parameter " + name;
            require(!text(parameter, "description").isEmpty(), "parameter-description", at, "needs a description");
            require(!text(parameter, "x-ms-summary").isEmpty(), "parameter-summary", at, "needs x-ms-summary");
            require(!name.equalsIgnoreCase("connectionId"), "connection-id", at, "connectionId is reserved");
            String in = text(parameter, "in");
            if (in.equals("path")) {
                require(inPath.remove(name), "path-parameter", at, "not in the path");
                require(parameter.path("required").asBoolean(false), "path-parameter", at, "must be required");
                require(
                        "single".equals(text(parameter, "x-ms-url-encoding")),
                        "path-parameter",
                        at,
                        "needs x-ms-url-encoding: single");
            }
            if (in.equals("body")) {
                bodies++;
                require(!method.equals("get"), "get-body", at, "a GET has no body");
                callbackProperties(at, parameter.path("schema"));
            }
            if ("internal".equals(text(parameter, "x-ms-visibility"))
                    && parameter.path("required").asBoolean(false)) {
                require(
                        parameter.has("default"),
                        "internal-default",
                        at,
                        "an internal required parameter needs a default");
            }
        }
        require(bodies <= 1, "one-body", where, "at most one body parameter");
        require(inPath.isEmpty(), "path-parameter", where, "undeclared path parameters " + inPath);
    }

    private void callbackProperties(String where, JsonNode schema) {
        for (Map.Entry<String, JsonNode> property : schema.path("properties").properties()) {
            if (property.getValue().path("x-ms-notification-url").asBoolean(false)) {
                String at = where + " property " + property.getKey();
                require(
                        "string".equals(text(property.getValue(), "type")),
                        "notification-url",
                        at,
                        "the callback property is a string");
                require(
                        "internal".equals(text(property.getValue(), "x-ms-visibility")),
                        "notification-url",
                        at,
                        "the callback property is x-ms-visibility: internal");
                boolean required = false;
                for (JsonNode name : schema.path("required")) {
                    required |= name.asString("").equals(property.getKey());
                }
                require(required, "notification-url", at, "the callback property is required");
            }
        }
    }

    private void responses(String where, JsonNode responses) {
        boolean success = false;
        for (Map.Entry<String, JsonNode> response : responses.properties()) {
            String status = response.getKey();
            if (status.equals("default")) {
                require(!response.getValue().has("schema"), "default-response", where, "default has no schema");
            } else if (status.startsWith("2")) {
                success = true;
                if (status.equals("200") || status.equals("201")) {
                    require(response.getValue().has("schema"), "response-schema", where, status + " needs a schema");
                }
            }
        }
        require(success, "response-schema", where, "needs a 2xx response");
    }

    private void trigger(String where, JsonNode path, JsonNode operation) {
        String kind = text(operation, "x-ms-trigger");
        require(kind.equals("single") || kind.equals("batch"), "trigger", where, "x-ms-trigger is single or batch");
        JsonNode metadata = operation.path("x-ms-trigger-metadata");
        if (metadata.isObject()) {
            require(
                    "query".equals(text(metadata, "kind")) && "polling".equals(text(metadata, "mode")),
                    "polling-trigger",
                    where,
                    "x-ms-trigger-metadata is kind: query, mode: polling");
            JsonNode responses = operation.path("responses");
            for (String status : List.of("200", "202")) {
                JsonNode response = responses.path(status);
                require(
                        hasHeader(response, "Location") && hasHeader(response, "Retry-After"),
                        "polling-trigger",
                        where,
                        status + " declares Location and Retry-After");
            }
            return;
        }
        require(kind.equals("single"), "webhook-trigger", where, "a webhook trigger is x-ms-trigger: single");
        require(path.has("x-ms-notification-content"), "webhook-trigger", where, "needs x-ms-notification-content");
        require(operation.path("responses").has("201"), "webhook-trigger", where, "answers 201");
        require(
                operation.path("x-ms-no-generic-test").asBoolean(false),
                "webhook-trigger",
                where,
                "needs x-ms-no-generic-test");
        boolean callback = false;
        for (JsonNode parameter : operation.path("parameters")) {
            for (JsonNode property : parameter.path("schema").path("properties")) {
                callback |= property.path("x-ms-notification-url").asBoolean(false);
            }
        }
        require(callback, "webhook-trigger", where, "the body has an x-ms-notification-url property");
    }

    private void dynamicReferences(JsonNode swagger, Set<String> operationIds) {
        List<JsonNode> references = new ArrayList<>();
        collect(swagger.path("paths"), references);
        for (JsonNode reference : references) {
            String target = text(reference, "operationId");
            require(
                    operationIds.contains(target),
                    "dynamic-reference",
                    "x-ms-dynamic-*",
                    "refers to operation \"" + target + "\", which is not declared");
        }
    }

    private static void collect(JsonNode node, List<JsonNode> references) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                if (field.getKey().startsWith("x-ms-dynamic-")) {
                    references.add(field.getValue());
                } else {
                    collect(field.getValue(), references);
                }
            }
        } else if (node.isArray()) {
            node.forEach(item -> collect(item, references));
        }
    }

    private static boolean hasWebhooks(JsonNode swagger) {
        List<JsonNode> found = new ArrayList<>();
        findNotificationUrls(swagger.path("paths"), found);
        return !found.isEmpty();
    }

    private static void findNotificationUrls(JsonNode node, List<JsonNode> found) {
        if (node.isObject()) {
            if (node.path("x-ms-notification-url").asBoolean(false)) {
                found.add(node);
            }
            node.forEach(child -> findNotificationUrls(child, found));
        } else if (node.isArray()) {
            node.forEach(child -> findNotificationUrls(child, found));
        }
    }

    private static boolean hasHeader(JsonNode response, String header) {
        return response.path("headers").has(header);
    }

    private static String text(JsonNode node, String field) {
        return node.path(field).asString("");
    }

    private void require(boolean holds, String rule, String where, String message) {
        if (!holds) {
            violations.add(new Violation(rule, where, message));
        }
    }
}
