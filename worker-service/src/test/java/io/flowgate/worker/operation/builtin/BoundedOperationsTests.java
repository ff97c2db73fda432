package io.flowgate.worker.operation.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.flowgate.worker.operation.InvalidOperationInput;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The built-in operations under hostile input: regular expressions that backtrack forever on the
 * JDK's engine, values that grow without end, a job asked to stop in the middle of library code.
 *
 * <p>The only time bound here is a guard against hanging: with the JDK's backtracking engine, the
 * catastrophic patterns below take hours, so a preemptive timeout turns a regression into a failure
 * instead of a stuck build. How fast the linear engine is, is not asserted.
 */
class BoundedOperationsTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration HANG_GUARD = Duration.ofSeconds(60);
    /** 5000 a's and a b: {@code (a+)+$} and friends backtrack exponentially on the JDK's engine. */
    private static final String EVIL_INPUT = "a".repeat(5000) + "b";

    private static JsonNode jsonata(String expression, Object document, TestContext context) throws Exception {
        ObjectNode input = JsonNodeFactory.instance.objectNode();
        input.put("expression", expression);
        input.set("document", JSON.valueToTree(document));
        return new JsonataTransform().run(input, context).get("result");
    }

    private static JsonNode jsonata(String expression, Object document) throws Exception {
        return jsonata(expression, document, new TestContext());
    }

    @Test
    void regularExpressionFunctionsKeepTheirJsonataMeaning() throws Exception {
        assertThat(jsonata("$match('ab12cd345', /[a-z]+([0-9]+)/)", "")).isEqualTo(JSON.readTree("""
                [{"match":"ab12","index":0,"groups":["12"]},{"match":"cd345","index":4,"groups":["345"]}]"""));
        assertThat(jsonata("$match('a1a2a3', /a([0-9])/, 2).groups", "")).isEqualTo(JSON.readTree("[\"1\",\"2\"]"));
        assertThat(jsonata("$match('xyz', /[0-9]/)", "").isNull()).isTrue();
        assertThat(jsonata("$replace('John Smith', /(\\w+)\\s(\\w+)/, '$2, $1')", ""))
                .isEqualTo(JSON.readTree("\"Smith, John\""));
        assertThat(jsonata("$replace('265USD', /([0-9]+)USD/, '$$$1')", "")).isEqualTo(JSON.readTree("\"$265\""));
        assertThat(jsonata("$replace('a-b-c', '-', '+', 1)", "")).isEqualTo(JSON.readTree("\"a+b-c\""));
        assertThat(jsonata("$replace('a.b.c', '.', '!')", "")).isEqualTo(JSON.readTree("\"a!b!c\""));
        assertThat(jsonata(
                        "$replace('temp 20C 30C', /(\\d+)C/, function($m) { $string($number($m.groups[0]) + 1) & 'C' })",
                        ""))
                .isEqualTo(JSON.readTree("\"temp 21C 31C\""));
        assertThat(jsonata("$split('a, b;c', /[,;] ?/)", "")).isEqualTo(JSON.readTree("[\"a\",\"b\",\"c\"]"));
        assertThat(jsonata("$split('a,b,c,', ',')", "")).isEqualTo(JSON.readTree("[\"a\",\"b\",\"c\",\"\"]"));
        assertThat(jsonata("$split('a,b,c', ',', 2)", "")).isEqualTo(JSON.readTree("[\"a\",\"b\"]"));
        assertThat(jsonata("$contains('Hello', /^h/i)", "")).isEqualTo(JSON.readTree("true"));
        assertThat(jsonata("$contains('Hello', 'ell')", "")).isEqualTo(JSON.readTree("true"));
        assertThat(jsonata("'abc' ~> $match(/b/)", "").get("index").asInt()).isEqualTo(1);
        assertThat(jsonata("$map(['a1','b2'], function($v) { $match($v, /[0-9]/) }).match", ""))
                .isEqualTo(JSON.readTree("[\"1\",\"2\"]"));
    }

    @Test
    void catastrophicPatternsRunInLinearTime() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            for (String pattern : new String[] {"(a+)+$", "(a|aa)+$", "^(a|a?)+$", "(.*a){12}$"}) {
                assertThat(jsonata("$contains($, /" + pattern + "/)", EVIL_INPUT))
                        .isEqualTo(JSON.readTree("false"));
                assertThat(jsonata("$replace($, /" + pattern + "/, 'x')", EVIL_INPUT)
                                .asString())
                        .isEqualTo(EVIL_INPUT);
                assertThat(jsonata("$count($split($, /" + pattern + "/))", EVIL_INPUT)
                                .asInt())
                        .isEqualTo(1);
            }
        });
    }

    @Test
    void patternsTheLinearEngineCannotRunAreRefusedClearly() {
        for (String pattern : new String[] {"(a)\\1", "a(?=b)", "(?<!x)a"}) {
            assertThatThrownBy(() -> jsonata("$match('aab', /" + pattern + "/)", ""))
                    .isInstanceOf(InvalidOperationInput.class)
                    .hasMessageContaining("no backreferences, lookahead or lookbehind");
        }
    }

    @Test
    void aRegularExpressionCannotBeAppliedAroundTheLinearEngine() {
        String[] expressions = {
            "/(a+)+$/($)",
            "($r := /(a+)+$/; $r($))",
            "$ ~> /(a+)+$/",
            "$map([$], /(a+)+$/)",
            "($match := function($s, $r) { $r($s) }; $match($, /(a+)+$/))",
            "(function($match) { $match($, /(a+)+$/) })(function($s, $r) { $r($s) })",
            "$eval('/(a+)+$/(\"" + "a".repeat(40) + "b\")')",
        };
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            for (String expression : expressions) {
                assertThatThrownBy(() -> jsonata(expression, EVIL_INPUT))
                        .as(expression)
                        .isInstanceOf(InvalidOperationInput.class)
                        .hasMessageContaining("was stopped");
            }
        });
    }

    @Test
    void valuesThatGrowWithoutEndAreStopped() {
        String[] expressions = {
            "$pad('', 100000000)",
            "$reduce([1..30], function($acc, $v) { $acc & $acc }, 'x')",
            "[1..1100000]",
            "$replace($pad('', 1000, 'x'), /x/, $pad('', 100000, 'y'))",
            "$replace($pad('', 1000, 'x'), 'x', $pad('', 100000, 'y'))",
            "$replace($pad('', 1000, 'x'), /x/, function($m) { $pad('', 100000, 'y') })",
            "$split($pad('', 2000000, 'x'), '')",
            "$split($pad('', 2000000, 'x'), 'x', 1500000)",
            "$split($pad('', 2000000, 'x'), /x/)",
            "$match($pad('', 2000000, 'x'), /x/)",
        };
        for (String expression : expressions) {
            assertThatThrownBy(() -> jsonata(expression, ""))
                    .as(expression)
                    .isInstanceOf(InvalidOperationInput.class)
                    .hasMessageContaining("the most a step may build");
        }
    }

    @Test
    void aSplitOrMatchStopsAsItsSequencePassesTheCapNotAfterBuildingIt() {
        // Two million one-character parts would be held before the check after the step.
        assertThatThrownBy(() -> jsonata("$split($pad('', 2000000, 'x'), '')", ""))
                .isInstanceOf(InvalidOperationInput.class)
                .hasMessageContaining("$split built a sequence longer than the most a step may build");
        assertThatThrownBy(() -> jsonata("$match($pad('', 2000000, 'x'), /x/)", ""))
                .isInstanceOf(InvalidOperationInput.class)
                .hasMessageContaining("$match built a sequence longer than the most a step may build");
    }

    @Test
    void padBuildsMillionsOfCharactersInOneLinearStepWithTheJsonataMeaning() throws Exception {
        assertThat(jsonata("$length($pad('', 8000000, 'xy'))", "").asInt()).isEqualTo(8000000);
        assertThat(jsonata("$pad('ab', 5)", "").asString()).isEqualTo("ab   ");
        assertThat(jsonata("$pad('ab', -5, '#')", "").asString()).isEqualTo("###ab");
        assertThat(jsonata("$pad('ab', 7, '123')", "").asString()).isEqualTo("ab12312");
        assertThat(jsonata("$pad('\u00e9', -4, '\ud83d\ude00')", "").asString())
                .isEqualTo("\ud83d\ude00".repeat(3) + "\u00e9");
        assertThat(jsonata("$pad('abcdef', 3)", "").asString()).isEqualTo("abcdef");
    }

    @Test
    void aStopRequestEndsTheExpressionAtItsNextStep() {
        TestContext context = new TestContext();
        context.stopNow();
        assertThatThrownBy(() -> jsonata("$sum([1..1000].($ * 2))", "", context))
                .isInstanceOf(InvalidOperationInput.class)
                .hasMessageContaining("stopped");
    }

    @Test
    void aStopRequestEndsAMatchInsideTheRegularExpressionEngine() {
        // One step: a single $match over 4 MB. The stop is requested only once the match runs (the
        // evaluation steps before it ask far fewer than 100 times), so only the engine can see it.
        var asked = new java.util.concurrent.atomic.AtomicInteger();
        TestContext context = new TestContext() {
            @Override
            public boolean isStopRequested() {
                return asked.incrementAndGet() > 100;
            }
        };
        String big = "x".repeat(4 * 1024 * 1024);
        assertTimeoutPreemptively(
                HANG_GUARD,
                () -> assertThatThrownBy(() -> jsonata("$match($, /(x|xx|xxx)*y/)", big, context))
                        .isInstanceOf(InvalidOperationInput.class)
                        .hasMessageContaining("stopped while a regular expression ran"));
    }

    @Test
    void schemaPatternsRunInLinearTime() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            ObjectNode input = JsonNodeFactory.instance.objectNode();
            input.set("schema", JSON.readTree("""
                    {"type":"object","properties":{"code":{"type":"string","pattern":"^(a+)+$"}},
                     "patternProperties":{"^(a|aa)+$":{"type":"string"}}}"""));
            input.set("document", JSON.valueToTree(java.util.Map.of("code", EVIL_INPUT, EVIL_INPUT, "x")));
            JsonNode out = new JsonSchemaValidate().run(input, new TestContext());
            assertThat(out.get("valid").asBoolean()).isFalse();
            assertThat(out.get("errors").findValuesAsString("keyword")).contains("pattern");
        });
    }

    @Test
    void schemaPatternsTheLinearEngineCannotRunMakeTheSchemaUnusable() {
        ObjectNode input = JsonNodeFactory.instance.objectNode();
        input.set("schema", JSON.readTree("{\"type\":\"string\",\"pattern\":\"(a)\\\\1\"}"));
        input.put("document", "aa");
        assertThatThrownBy(() -> new JsonSchemaValidate().run(input, new TestContext()))
                .isInstanceOf(InvalidOperationInput.class)
                .hasMessageContaining("no backreferences");
    }

    @Test
    void aStopRequestEndsASchemaPatternMatch() {
        TestContext context = new TestContext();
        context.stopNow();
        ObjectNode input = JsonNodeFactory.instance.objectNode();
        input.set("schema", JSON.readTree("{\"type\":\"string\",\"pattern\":\"(x|xx)*y\"}"));
        input.put("document", "x".repeat(1024 * 1024));
        assertThatThrownBy(() -> new JsonSchemaValidate().run(input, context))
                .isInstanceOf(InvalidOperationInput.class)
                .hasMessageContaining("stopped while a regular expression ran");
    }
}
