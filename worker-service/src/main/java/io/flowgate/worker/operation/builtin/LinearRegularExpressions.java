package io.flowgate.worker.operation.builtin;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import io.flowgate.expressions.StoppableChars;
import io.flowgate.worker.operation.JobContext;

/**
 * JSON Schema {@code pattern}, {@code patternProperties} and {@code format: regex} on RE2/J: matching
 * time is linear in the input, so no schema a tenant sends can backtrack for hours. Patterns RE2/J
 * does not support (backreferences, lookaround) make the schema unusable, which the caller is told.
 */
final class LinearRegularExpressions implements RegularExpressionFactory {

    static final LinearRegularExpressions INSTANCE = new LinearRegularExpressions();

    /** The job whose document is being validated: its stop signal ends a long match. */
    static final ScopedValue<JobContext> JOB = ScopedValue.newInstance();

    private LinearRegularExpressions() {}

    @Override
    public RegularExpression getRegularExpression(String regex) {
        Pattern pattern;
        try {
            pattern = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("the pattern /" + regex + "/ uses a feature Flowgate does not run"
                    + " (patterns run in linear time: no backreferences, lookahead or lookbehind): "
                    + e.getDescription());
        }
        // JSON Schema patterns are not anchored: they match anywhere in the value.
        return value -> pattern.matcher(JOB.isBound() ? new StoppableChars(value, JOB.get()::isStopRequested) : value)
                .find();
    }
}
