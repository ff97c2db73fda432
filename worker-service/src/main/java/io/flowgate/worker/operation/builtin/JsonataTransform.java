package io.flowgate.worker.operation.builtin;

import com.dashjoin.jsonata.JException;
import com.dashjoin.jsonata.Jsonata;
import io.flowgate.contracts.OperationDescriptor;
import io.flowgate.expressions.GuardedJsonata;
import io.flowgate.expressions.StoppableChars;
import io.flowgate.worker.operation.Descriptors;
import io.flowgate.worker.operation.InvalidOperationInput;
import io.flowgate.worker.operation.JobContext;
import io.flowgate.worker.operation.OperationHandler;
import java.time.Duration;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Transforms a JSON document with a JSONata expression (dashjoin's Java port of JSONata), under the
 * limits {@link GuardedJsonata} enforces inside the library.
 */
@Component
class JsonataTransform implements OperationHandler {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final OperationDescriptor DESCRIPTOR = Descriptors.of(
            "jsonata-transform",
            "Transform JSON with JSONata",
            "Evaluates a JSONata expression against a JSON document and returns the result.",
            """
            {"type":"object","required":["expression","document"],"additionalProperties":false,
             "properties":{
               "expression":{"type":"string","minLength":1,"maxLength":100000,"description":"The JSONata expression."},
               "document":{"description":"The JSON document the expression is evaluated against."}},
             "examples":[{"expression":"$sum(order.lines.(qty * price))",
                          "document":{"order":{"lines":[{"qty":2,"price":3.5},{"qty":1,"price":10}]}}}]}
            """,
            """
            {"type":"object","required":["result"],
             "properties":{"result":{"description":"The value of the expression (null when it has none)."}}}
            """,
            Duration.ofSeconds(30),
            Duration.ofSeconds(2));

    @Override
    public OperationDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public JsonNode run(JsonNode input, JobContext context) throws InvalidOperationInput {
        Object document = JSON.convertValue(input.get("document"), Object.class);
        Object value;
        try {
            value = GuardedJsonata.evaluate(input.get("expression").asString(), document, context::isStopRequested);
        } catch (JException e) {
            throw new InvalidOperationInput("The JSONata expression failed: " + e.getMessage());
        } catch (GuardedJsonata.Refused | StoppableChars.Stopped e) {
            throw new InvalidOperationInput("The JSONata expression was stopped: " + e.getMessage());
        } catch (RuntimeException e) {
            // The library lets some of its functions' failures out as plain runtime exceptions
            // ($number('abc') is a NumberFormatException): still the expression failing on this input.
            throw new InvalidOperationInput("The JSONata expression failed: " + e);
        }
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        result.set(
                "result",
                value == null || value == Jsonata.NULL_VALUE
                        ? JsonNodeFactory.instance.nullNode()
                        : JSON.valueToTree(value));
        return result;
    }
}
