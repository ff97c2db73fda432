package io.flowgate.connector;

import io.flowgate.contracts.ActionCallbacks;
import io.flowgate.contracts.OpenApi2Schemas;
import io.flowgate.contracts.OperationDescriptor;
import io.flowgate.contracts.Triggers;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes the connector's OpenAPI 2.0 definition ({@code apiDefinition.swagger.json}): every pattern
 * Flowgate serves, declared the way the Logic Apps and Power Automate designers read them.
 *
 * <ul>
 *   <li>one action per operation of the catalog, typed from its schemas; its 202 carries the
 *       {@code Location} the engine polls (the async pattern), at the internal job status GET;
 *   <li>"Run an operation": any operation, chosen from a list the API serves
 *       ({@code x-ms-dynamic-values}), with its input and output read from the API
 *       ({@code x-ms-dynamic-schema});
 *   <li>the webhook action, its callback property an internal {@code x-ms-notification-url}, and
 *       the internal DELETE that unsubscribes;
 *   <li>each trigger twice: a polling trigger ({@code x-ms-trigger-metadata} polling) and a
 *       webhook trigger ({@code x-ms-notification-content}).
 * </ul>
 */
public final class ConnectorDefinition {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final String PROBLEM = "An RFC 9457 problem: what was wrong, and whether to retry.";

    private ConnectorDefinition() {}

    /** The definition for {@code publisher}, with {@code operations} and {@code triggers}. */
    public static ObjectNode of(
            Publisher publisher, List<OperationDescriptor> operations, List<Triggers.Definition> triggers) {
        ObjectNode swagger = JSON.objectNode();
        swagger.put("swagger", "2.0");
        ObjectNode info = swagger.putObject("info");
        info.put("title", publisher.title());
        info.put("description", publisher.description());
        info.put("version", publisher.version());
        ObjectNode contact = info.putObject("contact");
        contact.put("name", publisher.contact().name());
        contact.put("url", publisher.contact().url());
        contact.put("email", publisher.contact().email());
        swagger.put("host", publisher.host());
        swagger.put("basePath", "/");
        swagger.putArray("schemes").add("https");
        swagger.putArray("consumes").add("application/json");
        swagger.putArray("produces").add("application/json");

        ObjectNode paths = swagger.putObject("paths");
        for (OperationDescriptor operation : operations) {
            paths.putObject("/api/v1/operations/" + operation.name()).set("post", action(operation));
        }
        runAnOperation(paths);
        webhookAction(paths);
        jobStatus(paths);
        subscription(paths);
        for (Triggers.Definition trigger : triggers) {
            paths.putObject("/api/v1/triggers/" + trigger.name() + "/poll").set("get", pollingTrigger(trigger));
            ObjectNode webhook = paths.putObject("/api/v1/triggers/" + trigger.name() + "/subscriptions");
            ObjectNode content = webhook.putObject("x-ms-notification-content");
            content.put("description", trigger.description());
            content.set("schema", trigger.itemSchema().deepCopy());
            webhook.set("post", webhookTrigger(trigger));
        }

        ObjectNode security = swagger.putObject("securityDefinitions").putObject("oauth2-auth");
        security.put("type", "oauth2");
        security.put("flow", "accessCode");
        security.put("authorizationUrl", "https://login.microsoftonline.com/common/oauth2/authorize");
        security.put("tokenUrl", "https://login.microsoftonline.com/common/oauth2/token");
        security.putObject("scopes").put(publisher.scope(), "Access Flowgate as the signed-in user.");
        swagger.putArray("security").addObject().putArray("oauth2-auth").add(publisher.scope());

        ArrayNode metadata = swagger.putArray("x-ms-connector-metadata");
        metadata.addObject().put("propertyName", "Website").put("propertyValue", publisher.website());
        metadata.addObject().put("propertyName", "Privacy policy").put("propertyValue", publisher.privacyPolicy());
        metadata.addObject()
                .put("propertyName", "Categories")
                .put("propertyValue", String.join(";", publisher.categories()));
        return swagger;
    }

    /** {@code csv-to-json} → {@code CsvToJson}. */
    static String pascal(String name) {
        StringBuilder out = new StringBuilder();
        for (String part : name.split("[^A-Za-z0-9]+")) {
            if (!part.isEmpty()) {
                out.append(part.substring(0, 1).toUpperCase(Locale.ROOT)).append(part.substring(1));
            }
        }
        return out.toString();
    }

    private static ObjectNode action(OperationDescriptor operation) {
        ObjectNode post = operationObject(pascal(operation.name()), operation.summary(), operation.description());
        post.put("x-ms-visibility", "important");
        ArrayNode parameters = post.putArray("parameters");
        preferHeader(parameters);
        ObjectNode body = bodyParameter(parameters, "input", "The input of the operation.", "Input");
        body.set("schema", OpenApi2Schemas.of(operation.inputSchema()));
        // Microsoft's sample value for tests: the operation's own example, which the contract test sends.
        JsonNode example = body.get("schema").get("example");
        if (example != null) {
            body.set("x-ms-test-value", example.deepCopy());
        }
        ObjectNode ok = success(post, "200", "The result of the operation.");
        ObjectNode responses = (ObjectNode) post.get("responses");
        ok.set("schema", OpenApi2Schemas.of(operation.outputSchema()));
        responses.set("202", accepted());
        return post;
    }

    private static void runAnOperation(ObjectNode paths) {
        ObjectNode run = operationObject(
                "RunOperation",
                "Run an operation",
                "Runs any operation of the catalog, with the input it takes; long-running ones answer"
                        + " asynchronously.");
        ArrayNode parameters = run.putArray("parameters");
        parameters.add(operationParameter());
        preferHeader(parameters);
        ObjectNode body = bodyParameter(parameters, "input", "The input of the chosen operation.", "Input");
        body.set("schema", dynamicSchema("input"));
        ObjectNode ok = success(run, "200", "The result of the operation.");
        ObjectNode responses = (ObjectNode) run.get("responses");
        ok.set("schema", dynamicSchema("output"));
        responses.set("202", accepted());
        paths.putObject("/api/v1/operations/{operation}").set("post", run);

        ObjectNode list = operationObject(
                "ListOperations", "List the operations", "Lists the operations of the catalog with their schemas.");
        list.put("x-ms-visibility", "internal");
        list.putArray("parameters");
        ObjectNode listed = success(list, "200", "The catalog.");
        ObjectNode catalog = listed.putObject("schema");
        catalog.put("type", "object");
        ObjectNode item = catalog.putObject("properties").putObject("value");
        item.put("type", "array");
        ObjectNode entry = item.putObject("items");
        entry.put("type", "object");
        ObjectNode properties = entry.putObject("properties");
        properties.set("name", string("Name", "The operation's name in the paths."));
        properties.set("summary", string("Summary", "What it does, in a few words."));
        properties.set("description", string("Description", "What it does."));
        paths.putObject("/api/v1/operations").set("get", list);

        ObjectNode schema = operationObject(
                "GetOperationSchema",
                "Get the schemas of an operation",
                "Answers an operation's input and output schemas in the form the designer reads.");
        schema.put("x-ms-visibility", "internal");
        schema.putArray("parameters").add(pathParameter("operation", "Operation", "The operation's name."));
        ObjectNode answered = success(schema, "200", "The schemas.");
        ObjectNode pair = answered.putObject("schema");
        pair.put("type", "object");
        ObjectNode pairProperties = pair.putObject("properties");
        pairProperties.putObject("input").put("type", "object").put("description", "The input's schema.");
        pairProperties.putObject("output").put("type", "object").put("description", "The result's schema.");
        paths.putObject("/api/v1/operations/{operation}/designer-schema").set("get", schema);
    }

    private static void webhookAction(ObjectNode paths) {
        ObjectNode subscribe = operationObject(
                "RunOperationWithCallback",
                "Run an operation and wait for its callback",
                "Starts an operation and waits, without polling, until Flowgate calls the flow back with"
                        + " its result.");
        subscribe.put("x-ms-no-generic-test", true);
        ArrayNode parameters = subscribe.putArray("parameters");
        parameters.add(operationParameter());
        ObjectNode body = bodyParameter(
                parameters, "body", "The callback address (set by the engine) and the operation's input.", "Request");
        ObjectNode schema = body.putObject("schema");
        schema.put("type", "object");
        schema.putArray("required").add("callbackUrl");
        ObjectNode properties = schema.putObject("properties");
        properties.set("callbackUrl", callbackUrl());
        ObjectNode input = dynamicSchema("input");
        input.put("description", "The input of the chosen operation.");
        input.put("x-ms-summary", "Input");
        properties.set("input", input);
        ObjectNode created =
                success(subscribe, "201", "Subscribed: the job runs, and its end is posted to the callback address.");
        created.set("schema", subscriptionSchema());
        created.set("headers", unsubscribeHeader());
        ObjectNode path = paths.putObject("/api/v1/operations/{operation}/subscriptions");
        ObjectNode content = path.putObject("x-ms-notification-content");
        content.put("description", "How the job ended, posted to the flow when it ends.");
        content.set("schema", ActionCallbacks.schema());
        path.set("post", subscribe);
    }

    private static void jobStatus(ObjectNode paths) {
        ObjectNode path = paths.putObject("/api/v1/jobs/{jobId}");
        ObjectNode get = operationObject(
                "GetJobStatus",
                "Get the status of a job",
                "Answers a job's result once it has finished, and 202 with where to ask again until then.");
        get.put("x-ms-visibility", "internal");
        get.putArray("parameters").add(pathParameter("jobId", "Job ID", "The job's id."));
        ObjectNode ok = success(get, "200", "The job succeeded: its result.");
        ObjectNode responses = (ObjectNode) get.get("responses");
        ok.putObject("schema").put("type", "object").put("description", "The operation's result.");
        responses.set("202", accepted());
        path.set("get", get);

        ObjectNode cancel = operationObject(
                "CancelJob", "Cancel a job", "Asks a running job to stop; a finished job is left as it is.");
        cancel.put("x-ms-visibility", "internal");
        cancel.put("x-ms-no-generic-test", true);
        cancel.putArray("parameters").add(pathParameter("jobId", "Job ID", "The job's id."));
        success(cancel, "204", "Cancelled, or already finished.");
        path.set("delete", cancel);
    }

    private static void subscription(ObjectNode paths) {
        ObjectNode delete = operationObject(
                "DeleteSubscription",
                "Remove a subscription",
                "Removes a webhook subscription: no callback starts for it afterwards.");
        delete.put("x-ms-visibility", "internal");
        delete.put("x-ms-no-generic-test", true);
        delete.putArray("parameters").add(pathParameter("subscriptionId", "Subscription ID", "The subscription's id."));
        success(delete, "204", "Removed, or already gone.");
        paths.putObject("/api/v1/subscriptions/{subscriptionId}").set("delete", delete);
    }

    private static ObjectNode pollingTrigger(Triggers.Definition trigger) {
        ObjectNode get = operationObject(
                pascal("on-" + trigger.name()) + "Polling",
                trigger.summary() + ", checked on a schedule",
                trigger.description() + " Checked on the flow's schedule.");
        get.put("x-ms-trigger", "single");
        ObjectNode metadata = get.putObject("x-ms-trigger-metadata");
        metadata.put("kind", "query");
        metadata.put("mode", "polling");
        ArrayNode parameters = get.putArray("parameters");
        trigger.parameters().forEach(p -> parameters.add(filterParameter(p)));
        ObjectNode fired = success(get, "200", "A new item: the trigger fires.");
        ObjectNode responses = (ObjectNode) get.get("responses");
        fired.set("schema", trigger.itemSchema().deepCopy());
        fired.set("headers", pollHeaders());
        ObjectNode nothing = responses.putObject("202");
        nothing.put("description", "Nothing new: ask again at Location after Retry-After.");
        nothing.set("headers", pollHeaders());
        return get;
    }

    private static ObjectNode webhookTrigger(Triggers.Definition trigger) {
        ObjectNode post = operationObject(pascal("on-" + trigger.name()), trigger.summary(), trigger.description());
        post.put("x-ms-trigger", "single");
        post.put("x-ms-no-generic-test", true);
        ArrayNode parameters = post.putArray("parameters");
        trigger.parameters().forEach(p -> parameters.add(filterParameter(p)));
        ObjectNode body = bodyParameter(parameters, "body", "The callback address, set by the engine.", "Subscription");
        ObjectNode schema = body.putObject("schema");
        schema.put("type", "object");
        schema.putArray("required").add("callbackUrl");
        schema.putObject("properties").set("callbackUrl", callbackUrl());
        ObjectNode created = success(post, "201", "Subscribed: each new item is posted to the callback address.");
        created.set("schema", subscriptionSchema());
        created.set("headers", unsubscribeHeader());
        return post;
    }

    /**
     * Adds the operation's responses: {@code status} with {@code description}, and {@code default}
     * for problems; answers the {@code status} response, for its schema and headers.
     */
    private static ObjectNode success(ObjectNode operation, String status, String description) {
        ObjectNode responses = operation.putObject("responses");
        responses.putObject("default").put("description", PROBLEM);
        ObjectNode success = responses.putObject(status);
        success.put("description", description);
        return success;
    }

    private static ObjectNode bodyParameter(ArrayNode parameters, String name, String description, String summary) {
        ObjectNode body = parameters.addObject();
        body.put("name", name);
        body.put("in", "body");
        body.put("required", true);
        body.put("description", description);
        body.put("x-ms-summary", summary);
        return body;
    }

    private static ObjectNode operationObject(String operationId, String summary, String description) {
        ObjectNode operation = JSON.objectNode();
        operation.put("operationId", operationId);
        operation.put("summary", summary);
        operation.put("description", description);
        operation.putArray("consumes").add("application/json");
        operation.putArray("produces").add("application/json");
        return operation;
    }

    private static ObjectNode operationParameter() {
        ObjectNode operation = pathParameter("operation", "Operation", "The operation to run.");
        ObjectNode values = operation.putObject("x-ms-dynamic-values");
        values.put("operationId", "ListOperations");
        values.put("value-collection", "value");
        values.put("value-path", "name");
        values.put("value-title", "summary");
        return operation;
    }

    private static ObjectNode pathParameter(String name, String summary, String description) {
        ObjectNode parameter = JSON.objectNode();
        parameter.put("name", name);
        parameter.put("in", "path");
        parameter.put("required", true);
        parameter.put("type", "string");
        parameter.put("description", description);
        parameter.put("x-ms-summary", summary);
        parameter.put("x-ms-url-encoding", "single");
        return parameter;
    }

    private static ObjectNode preferHeader(ArrayNode parameters) {
        ObjectNode prefer = parameters.addObject();
        prefer.put("name", "Prefer");
        prefer.put("in", "header");
        prefer.put("required", false);
        prefer.put("type", "string");
        prefer.put("description", "respond-async answers 202 at once instead of waiting for the result.");
        prefer.put("x-ms-summary", "Prefer");
        prefer.put("x-ms-visibility", "advanced");
        prefer.putArray("enum").add("respond-async");
        return prefer;
    }

    private static ObjectNode filterParameter(Triggers.Parameter filter) {
        ObjectNode parameter = JSON.objectNode();
        parameter.put("name", filter.name());
        parameter.put("in", "query");
        parameter.put("required", false);
        parameter.put("type", "string");
        parameter.put("description", filter.description());
        parameter.put("x-ms-summary", filter.summary());
        if (filter.values() != null) {
            ArrayNode values = parameter.putArray("enum");
            filter.values().forEach(values::add);
        }
        return parameter;
    }

    private static ObjectNode dynamicSchema(String valuePath) {
        ObjectNode schema = JSON.objectNode();
        schema.put("type", "object");
        ObjectNode dynamic = schema.putObject("x-ms-dynamic-schema");
        dynamic.put("operationId", "GetOperationSchema");
        dynamic.putObject("parameters").putObject("operation").put("parameter", "operation");
        dynamic.put("value-path", valuePath);
        return schema;
    }

    private static ObjectNode callbackUrl() {
        ObjectNode callback = string("Callback URL", "Where Flowgate posts; set by the engine.");
        callback.put("x-ms-notification-url", true);
        callback.put("x-ms-visibility", "internal");
        return callback;
    }

    private static ObjectNode accepted() {
        ObjectNode accepted = JSON.objectNode();
        accepted.put("description", "Still running: the engine asks again at Location after Retry-After.");
        accepted.set("headers", pollHeaders());
        ObjectNode schema = accepted.putObject("schema");
        schema.put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        properties.set("jobId", string("Job ID", "The job's id."));
        properties.set("operation", string("Operation", "The operation it runs."));
        properties.set("status", string("Status", "ACCEPTED or RUNNING."));
        properties.putObject("progress").put("type", "integer").put("description", "Percent done, when known.");
        properties.set("statusUrl", string("Status URL", "Where its status is answered."));
        return accepted;
    }

    private static ObjectNode pollHeaders() {
        ObjectNode headers = JSON.objectNode();
        headers.putObject("Location").put("type", "string").put("description", "Where to ask next.");
        headers.putObject("Retry-After").put("type", "integer").put("description", "Seconds to wait first.");
        return headers;
    }

    /** The subscription's URL, which the engine calls with DELETE to unsubscribe. */
    private static ObjectNode unsubscribeHeader() {
        ObjectNode headers = JSON.objectNode();
        headers.putObject("Location")
                .put("type", "string")
                .put("description", "The subscription's URL: the engine deletes it to unsubscribe.");
        return headers;
    }

    private static ObjectNode subscriptionSchema() {
        ObjectNode schema = JSON.objectNode();
        schema.put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        properties.set("subscriptionId", string("Subscription ID", "The subscription's id."));
        properties.set("kind", string("Kind", "action or trigger."));
        properties.set("state", string("State", "active, or gone once the receiver said so."));
        return schema;
    }

    private static ObjectNode string(String title, String description) {
        ObjectNode schema = JSON.objectNode();
        schema.put("type", "string");
        schema.put("title", title);
        schema.put("description", description);
        schema.put("x-ms-summary", title);
        return schema;
    }
}
