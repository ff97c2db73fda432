package io.flowgate.worker.operation.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowgate.worker.operation.InvalidOperationInput;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class BuiltinOperationsTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static JsonNode json(String text) {
        return JSON.readTree(text);
    }

    @Test
    void jsonataTransformsTheDocument() throws Exception {
        JsonNode out = new JsonataTransform().run(json("""
                {"expression":"{ 'total': $sum(lines.(qty * price)), 'names': lines.name }",
                 "document":{"lines":[{"name":"a","qty":2,"price":1.5},{"name":"b","qty":1,"price":4}]}}"""), new TestContext());

        assertThat(out.get("result")).isEqualTo(json("{\"total\":7,\"names\":[\"a\",\"b\"]}"));
    }

    @Test
    void jsonataWithoutAValueGivesNull() throws Exception {
        JsonNode out =
                new JsonataTransform().run(json("{\"expression\":\"missing\",\"document\":{}}"), new TestContext());

        assertThat(out.get("result").isNull()).isTrue();
    }

    @Test
    void aBrokenJsonataExpressionIsTheInputsFault() {
        assertThatThrownBy(() -> new JsonataTransform()
                        .run(json("{\"expression\":\"$$$(\",\"document\":{}}"), new TestContext()))
                .isInstanceOf(InvalidOperationInput.class)
                .hasMessageContaining("JSONata");
    }

    @Test
    void aJsonataFunctionThatFailsOnTheDocumentIsTheInputsFault() {
        // The library raises NumberFormatException here, not its own JException.
        assertThatThrownBy(() -> new JsonataTransform()
                        .run(json("{\"expression\":\"$number(a)\",\"document\":{\"a\":\"abc\"}}"), new TestContext()))
                .isInstanceOf(InvalidOperationInput.class)
                .hasMessageContaining("The JSONata expression failed");
    }

    @Test
    void csvWithHeaderBecomesObjects() throws Exception {
        JsonNode out = new CsvToJson().run(json("""
                {"csv":"id,name\\n1,\\"Smith, J\\"\\n2,Lee\\n"}"""), new TestContext());

        assertThat(out.get("count").asInt()).isEqualTo(2);
        assertThat(out.get("columns")).isEqualTo(json("[\"id\",\"name\"]"));
        assertThat(out.get("rows").get(0)).isEqualTo(json("{\"id\":\"1\",\"name\":\"Smith, J\"}"));
    }

    @Test
    void csvWithoutHeaderAndOtherDelimiterBecomesArrays() throws Exception {
        JsonNode out = new CsvToJson().run(json("""
                {"csv":"a;'b;c'\\n\\n d ;e\\n","header":false,"delimiter":";","quote":"'","trim":true}"""), new TestContext());

        assertThat(out.get("rows")).isEqualTo(json("[[\"a\",\"b;c\"],[\"d\",\"e\"]]"));
    }

    @Test
    void unbalancedCsvQuotesAreTheInputsFault() {
        assertThatThrownBy(() -> new CsvToJson().run(json("{\"csv\":\"a,\\\"b\\nc\"}"), new TestContext()))
                .isInstanceOf(InvalidOperationInput.class);
    }

    @Test
    void schemaValidationListsEveryViolation() throws Exception {
        JsonNode out = new JsonSchemaValidate().run(json("""
                {"schema":{"type":"object","required":["id"],"properties":{"age":{"type":"integer","minimum":0}}},
                 "document":{"age":-3}}"""), new TestContext());

        assertThat(out.get("valid").asBoolean()).isFalse();
        assertThat(out.get("errors")).hasSize(2);
        assertThat(out.get("errors").findValuesAsString("keyword")).containsExactlyInAnyOrder("required", "minimum");
    }

    @Test
    void aValidDocumentHasNoErrors() throws Exception {
        JsonNode out = new JsonSchemaValidate()
                .run(json("{\"schema\":{\"type\":\"string\"},\"document\":\"x\"}"), new TestContext());

        assertThat(out.get("valid").asBoolean()).isTrue();
        assertThat(out.get("errors")).isEmpty();
    }

    @Test
    void delayReportsProgressAndReturnsItsInput() throws Exception {
        var context = new TestContext();
        JsonNode input = json("{\"seconds\":0}");

        assertThat(new Delay().run(input, context)).isEqualTo(input);
    }

    @Test
    void delayStopsWhenAskedTo() throws Exception {
        var context = new TestContext();
        var running = CompletableFuture.supplyAsync(() -> {
            try {
                return new Delay().run(json("{\"seconds\":3600}"), context);
            } catch (InterruptedException e) {
                return null;
            }
        });
        org.awaitility.Awaitility.await().until(() -> !context.progress.isEmpty());

        context.stopNow();

        assertThat(running.get(10, TimeUnit.SECONDS)).isNull();
        assertThat(context.progress).first().isEqualTo(0);
    }
}
