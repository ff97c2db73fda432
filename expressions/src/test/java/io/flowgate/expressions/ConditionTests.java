package io.flowgate.expressions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ConditionTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final JsonNode ORDER =
            JSON.readTree("{\"type\":\"order.created\",\"data\":{\"total\":150,\"lines\":[1,2,3],\"note\":\"\"}}");

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            data.total > 100                    | true
            data.total > 200                    | false
            type = 'order.created'              | true
            $count(data.lines) = 3              | true
            data.note                           | false
            data.lines                          | true
            data.missing                        | false
            data.total                          | true
            $contains(type, /created$/)         | true
            """)
    void aConditionIsTrueOrFalseAsJsonataTakesItsValue(String condition, boolean passes) {
        assertThatCode(() -> Condition.check(condition)).doesNotThrowAnyException();
        assertThat(Condition.passes(condition, ORDER)).isEqualTo(passes);
    }

    @Test
    void aConditionThatFailsOnAnItemDoesNotPass() {
        String condition = "$number(type) > 1"; // type is not a number: JSONata raises an error
        Condition.check(condition);
        assertThat(Condition.passes(condition, ORDER)).isFalse();
    }

    @Test
    void aConditionThatRunsPastItsTimeIsStoppedAndDoesNotPass() {
        String condition = "$count([1..10000000].($string($) & 'x')) > 0";
        Condition.check(condition);
        long started = System.nanoTime();
        assertThat(Condition.passes(condition, ORDER)).isFalse();
        // Stopped by its own budget rather than left to finish: far less than the work would take.
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void anExpressionThatIsNotJsonataIsRefusedWithAReasonForTheTenant() {
        assertThatThrownBy(() -> Condition.check("data.total >"))
                .isInstanceOf(Condition.Invalid.class)
                .hasMessageStartingWith("'condition' is not valid JSONata");
    }

    @Test
    void emptyAndOverlongConditionsAreRefused() {
        assertThatThrownBy(() -> Condition.check(" ")).isInstanceOf(Condition.Invalid.class);
        String longest = "true" + " ".repeat(Condition.MAX_LENGTH - 4);
        assertThatCode(() -> Condition.check(longest)).doesNotThrowAnyException();
        assertThatThrownBy(() -> Condition.check(longest + " "))
                .isInstanceOf(Condition.Invalid.class)
                .hasMessageContaining("1 to 2000 characters");
    }

    @Test
    void aConditionCannotBreakOutOfItsWrapping() {
        // The wrapping is "$boolean((" + condition + "))": closing it early is a syntax error, not a
        // second expression.
        assertThatThrownBy(() -> Condition.check("true)), (false")).isInstanceOf(Condition.Invalid.class);
    }

    @Test
    void evalIsNotAvailable() {
        String condition = "$eval('1 + 1') = 2";
        Condition.check(condition);
        assertThat(Condition.passes(condition, ORDER)).isFalse();
    }
}
