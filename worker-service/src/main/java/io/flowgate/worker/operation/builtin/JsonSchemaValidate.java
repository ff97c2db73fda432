package io.flowgate.worker.operation.builtin;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import io.flowgate.contracts.OperationDescriptor;
import io.flowgate.expressions.StoppableChars;
import io.flowgate.worker.operation.Descriptors;
import io.flowgate.worker.operation.InvalidOperationInput;
import io.flowgate.worker.operation.JobContext;
import io.flowgate.worker.operation.OperationHandler;
import java.time.Duration;
import java.util.List;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Validates a JSON document against a JSON Schema (draft 2020-12 unless the schema names another
 * with {@code $schema}) and lists every violation. Remote {@code $ref}s are not fetched; patterns
 * run on RE2/J ({@link LinearRegularExpressions}).
 */
@Component
class JsonSchemaValidate implements OperationHandler {

    private static final OperationDescriptor DESCRIPTOR = Descriptors.of(
            "json-schema-validate",
            "Validate JSON against a schema",
            "Validates a JSON document against a JSON Schema and lists every violation found.",
            """
            {"type":"object","required":["schema","document"],"additionalProperties":false,
             "properties":{
               "schema":{"type":["object","boolean"],"description":"The JSON Schema (draft 2020-12 by default)."},
               "document":{"description":"The JSON document to validate."}},
             "examples":[{"schema":{"type":"object","required":["sku"],"properties":{"sku":{"type":"string"}}},
                          "document":{"sku":7}}]}
            """,
            """
            {"type":"object","required":["valid","errors"],
             "properties":{
               "valid":{"type":"boolean"},
               "errors":{"type":"array","items":{"type":"object","properties":{
                 "pointer":{"type":"string"},"keyword":{"type":"string"},"message":{"type":"string"}}}}}}
            """,
            Duration.ofSeconds(30),
            Duration.ofSeconds(2));

    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder()
                    .regularExpressionFactory(LinearRegularExpressions.INSTANCE)
                    .build()));

    @Override
    public OperationDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public JsonNode run(JsonNode input, JobContext context) throws InvalidOperationInput {
        List<Error> violations;
        try {
            Schema schema = registry.getSchema(input.get("schema"));
            violations = ScopedValue.where(LinearRegularExpressions.JOB, context)
                    .call(() -> schema.validate(input.get("document")));
        } catch (SchemaException | IllegalArgumentException e) {
            throw new InvalidOperationInput("The schema is not a usable JSON Schema: " + e.getMessage());
        } catch (StoppableChars.Stopped e) {
            throw new InvalidOperationInput("The validation was stopped: " + e.getMessage());
        }
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        result.put("valid", violations.isEmpty());
        ArrayNode errors = result.putArray("errors");
        for (Error violation : violations) {
            errors.addObject()
                    .put("pointer", violation.getInstanceLocation().toString())
                    .put("keyword", violation.getKeyword())
                    .put("message", violation.getMessage());
        }
        return result;
    }
}
