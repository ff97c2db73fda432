package io.flowgate.expressions;

import com.dashjoin.jsonata.JException;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A trigger's optional condition: a JSONata expression over the trigger's item that must be true for
 * the trigger to fire, evaluated by Flowgate so that an event the flow would discard costs no flow run.
 * It runs with {@link GuardedJsonata}'s limits and at most {@link #MAX_TIME} per item; its value is
 * taken as JSONata's {@code $boolean} takes it.
 */
public final class Condition {

    /** The longest condition accepted. */
    public static final int MAX_LENGTH = 2000;

    /** The longest one evaluation may take: a condition that takes longer does not pass. */
    public static final Duration MAX_TIME = Duration.ofMillis(50);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Condition() {}

    /** Why a condition cannot be used: the message is for the tenant. */
    public static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Checks {@code source} as a condition (length, syntax, how it uses regular expressions) without
     * evaluating it.
     *
     * @throws Invalid when it cannot be used
     */
    public static void check(String source) {
        if (source.isBlank() || source.length() > MAX_LENGTH) {
            throw new Invalid("'condition' is a JSONata expression of 1 to " + MAX_LENGTH + " characters.");
        }
        try {
            GuardedJsonata.parse(wrapped(source));
        } catch (JException e) {
            throw new Invalid("'condition' is not valid JSONata: " + e.getMessage());
        } catch (GuardedJsonata.Refused e) {
            throw new Invalid("'condition' cannot be used: " + e.getMessage());
        }
    }

    /**
     * Whether {@code item} passes {@code source}. An expression that fails, is stopped or runs past
     * {@link #MAX_TIME} on this item does not pass: the item does not fire the trigger.
     */
    public static boolean passes(String source, JsonNode item) {
        long deadline = System.nanoTime() + MAX_TIME.toNanos();
        try {
            Object value = GuardedJsonata.evaluate(
                    wrapped(source), JSON.convertValue(item, Object.class), () -> System.nanoTime() > deadline);
            return Boolean.TRUE.equals(value);
        } catch (RuntimeException e) {
            // JException, Refused and Stopped, and the plain runtime exceptions some of the library's
            // functions let out ($number('abc') is a NumberFormatException): the expression failed
            // on this item.
            return false;
        }
    }

    /** The condition's value as a boolean, JSONata's way (an empty string, 0, an empty array are false). */
    private static String wrapped(String source) {
        return "$boolean((\n" + source + "\n))";
    }
}
