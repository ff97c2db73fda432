package io.flowgate.expressions;

import com.dashjoin.jsonata.Functions;
import com.dashjoin.jsonata.JException;
import com.dashjoin.jsonata.Jsonata;
import com.dashjoin.jsonata.Utils;
import com.google.re2j.Matcher;
import com.google.re2j.PatternSyntaxException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Evaluates a tenant's JSONata expression so that its limits hold inside the library too: a job's
 * (the jsonata-transform operation) or a trigger condition's.
 *
 * <ul>
 *   <li>Every evaluation step checks the caller's stop signal (a job cancelled, past its deadline or
 *       its CPU time; a condition past its time), the expression's wall time ({@link #MAX_WALL_MILLIS}) and its nesting depth.
 *   <li>No step may produce a string longer than {@link #MAX_STRING_LENGTH} characters or a sequence
 *       longer than {@link #MAX_SEQUENCE_LENGTH} items, and {@code $pad} may not ask for more.
 *   <li>Regular expressions run on RE2/J, whose matching time is linear in the input (no catastrophic
 *       backtracking), and the input they scan checks the stop signal as it is read. {@code $match},
 *       {@code $replace}, {@code $split} and {@code $contains} are re-bound to such implementations;
 *       a regular expression may only be written as an argument of one of them (applying it any other
 *       way would run the JDK's backtracking engine), and those four names may not be re-bound.
 *   <li>{@code $eval} is not available: it would evaluate an expression no check has seen.
 * </ul>
 *
 * <p>The library offers no hook for any of this except its per-step callbacks and function
 * bindings, hence this class.
 */
public final class GuardedJsonata {

    public static final int MAX_DEPTH = 200;
    public static final long MAX_WALL_MILLIS = 10_000;
    public static final int MAX_STRING_LENGTH = 8 * 1024 * 1024;
    public static final int MAX_SEQUENCE_LENGTH = 1_000_000;

    private static final Set<String> REGEX_FUNCTIONS = Set.of("match", "replace", "split", "contains");

    private GuardedJsonata() {}

    /** An expression this class refuses to run, or stopped: the caller's input is at fault. */
    public static final class Refused extends RuntimeException {

        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Parses, checks and evaluates {@code source} against {@code document}.
     *
     * @throws JException when the expression is not valid JSONata or fails
     * @throws Refused when it breaks one of the limits above
     */
    public static @Nullable Object evaluate(String source, Object document, BooleanSupplier stop) {
        Jsonata expression = parse(source);
        Jsonata.Frame frame = expression.createFrame();
        var steps = new Steps(stop);
        frame.setEvaluateEntryCallback((node, input, env) -> steps.enter(env));
        frame.setEvaluateExitCallback((node, input, env, result) -> steps.exit(env, result));
        var regex = new Regex(stop);
        frame.bind("match", new Jsonata.JFunction((input, args) -> regex.match(args), "<s-f<s:o>n?:a<o>>"));
        frame.bind("contains", new Jsonata.JFunction((input, args) -> regex.contains(args), "<s-(sf):b>"));
        frame.bind("replace", new Jsonata.JFunction((input, args) -> regex.replace(args), "<s-(sf)(sf)n?:s>"));
        frame.bind("split", new Jsonata.JFunction((input, args) -> regex.split(args), "<s-(sf)n?:a<s>>"));
        frame.bind("pad", new Jsonata.JFunction((input, args) -> pad(args), "<s-ns?:s>"));
        frame.bind(
                "eval",
                new Jsonata.JFunction(
                        (input, args) -> {
                            throw new Refused("$eval is not available in Flowgate's JSONata.");
                        },
                        "<sx?:x>"));
        return expression.evaluate(document, frame);
    }

    /**
     * Parses and checks {@code source} without evaluating it (a trigger condition is checked at
     * subscribe time).
     *
     * @throws JException when it is not valid JSONata
     * @throws Refused when it applies a regular expression other than through the re-bound functions
     */
    public static Jsonata parse(String source) {
        Jsonata expression = Jsonata.jsonata(source);
        checkRegexUse(expression);
        return expression;
    }

    /** Counts depth and time per step, and stops what was asked to stop. */
    private static final class Steps {

        private final BooleanSupplier stop;
        private final long start = System.nanoTime();
        private int depth;

        Steps(BooleanSupplier stop) {
            this.stop = stop;
        }

        void enter(Jsonata.Frame env) {
            if (env.isParallelCall) {
                return;
            }
            depth++;
            check();
        }

        void exit(Jsonata.Frame env, Object result) {
            if (result instanceof String s && s.length() > MAX_STRING_LENGTH) {
                throw new Refused("The expression built a string of " + s.length()
                        + " characters; the most a step may build is " + MAX_STRING_LENGTH + ".");
            }
            if (result instanceof Collection<?> c && c.size() > MAX_SEQUENCE_LENGTH) {
                throw new Refused("The expression built a sequence of " + c.size()
                        + " items; the most a step may build is " + MAX_SEQUENCE_LENGTH + ".");
            }
            if (env.isParallelCall) {
                return;
            }
            depth--;
            check();
        }

        private void check() {
            if (stop.getAsBoolean()) {
                throw new Refused("The evaluation was stopped.");
            }
            if (depth > MAX_DEPTH) {
                throw new Refused(
                        "The expression nests deeper than " + MAX_DEPTH + " levels (a non-terminating recursion?).");
            }
            if ((System.nanoTime() - start) / 1_000_000 > MAX_WALL_MILLIS) {
                throw new Refused("The expression ran longer than " + MAX_WALL_MILLIS / 1000 + " s.");
            }
        }
    }

    /**
     * {@code $pad(str, width [, char])}: pads to {@code |width|} code points, on the right for a
     * positive width and on the left for a negative one, with {@code char} (a space by default)
     * repeated and cut to fit. Written here because the library's $pad interns its input in the JVM's
     * string table and builds the padding by repeated concatenation (quadratic: a few million
     * characters take hours, in one step that no stop check can interrupt).
     */
    private static @Nullable Object pad(List<?> args) {
        String str = (String) args.get(0);
        Object width = args.size() > 1 ? args.get(1) : null;
        if (str == null || !(width instanceof Number n)) {
            return str;
        }
        if (Math.abs(n.doubleValue()) > MAX_STRING_LENGTH) {
            throw new Refused("$pad to " + n + " characters; the most a step may build is " + MAX_STRING_LENGTH + ".");
        }
        String with = args.size() > 2 && args.get(2) instanceof String c && !c.isEmpty() ? c : " ";
        int target = Math.abs(n.intValue());
        int missing = target - str.codePointCount(0, str.length());
        if (missing <= 0) {
            return str;
        }
        int unit = with.codePointCount(0, with.length());
        String repeated = with.repeat((missing + unit - 1) / unit);
        String padding = repeated.substring(0, repeated.offsetByCodePoints(0, missing));
        return n.intValue() > 0 ? str + padding : padding + str;
    }

    /** $match, $contains, $replace and $split on RE2/J, with the JSONata semantics. */
    private static final class Regex {

        private final BooleanSupplier stop;
        private final Map<Pattern, com.google.re2j.Pattern> compiled = new IdentityHashMap<>();

        Regex(BooleanSupplier stop) {
            this.stop = stop;
        }

        private Matcher matcher(Pattern pattern, String input) {
            com.google.re2j.Pattern linear = compiled.computeIfAbsent(pattern, GuardedJsonata::linear);
            return linear.matcher(new StoppableChars(input, stop));
        }

        @Nullable
        Object match(List<?> args) {
            String str = (String) args.get(0);
            if (str == null) {
                return null;
            }
            Integer limit = limit(args, 2, "D3040");
            List<Object> result = Utils.createSequence();
            Matcher m = matcher((Pattern) args.get(1), str);
            while ((limit == null || result.size() < limit) && m.find()) {
                Map<String, Object> match = new LinkedHashMap<>();
                match.put("match", m.group());
                match.put("index", m.start());
                List<String> groups = new ArrayList<>();
                for (int g = 1; g <= m.groupCount(); g++) {
                    groups.add(m.group(g));
                }
                match.put("groups", groups);
                add(result, "$match", match);
            }
            return result;
        }

        @Nullable
        Object contains(List<?> args) {
            String str = (String) args.get(0);
            if (str == null) {
                return null;
            }
            Object token = args.get(1);
            return token instanceof Pattern p ? matcher(p, str).find() : str.contains((String) token);
        }

        @Nullable
        Object replace(List<?> args) throws Throwable {
            String str = (String) args.get(0);
            if (str == null) {
                return null;
            }
            Object pattern = args.get(1);
            Object replacement = args.get(2);
            Integer limit = limit(args, 3, "D3011");
            if (pattern instanceof String literal) {
                if (literal.isEmpty()) {
                    throw new JException("D3010", -1);
                }
                if (!(replacement instanceof String with)) {
                    throw new JException("D3012", -1);
                }
                StringBuilder out = new StringBuilder();
                int from = 0;
                int done = 0;
                for (int at; (limit == null || done < limit) && (at = str.indexOf(literal, from)) >= 0; done++) {
                    out.append(str, from, at).append(with);
                    if (out.length() > MAX_STRING_LENGTH) {
                        throw new Refused("$replace built a string longer than the most a step may build, "
                                + MAX_STRING_LENGTH + " characters.");
                    }
                    from = at + literal.length();
                }
                return out.append(str, from, str.length()).toString();
            }
            Matcher m = matcher((Pattern) pattern, str);
            StringBuilder out = new StringBuilder();
            int from = 0;
            int done = 0;
            while ((limit == null || done < limit) && m.find()) {
                if (m.end() == m.start()) {
                    throw new JException("D1004", -1);
                }
                out.append(str, from, m.start());
                if (replacement instanceof String template) {
                    expand(template, m, out);
                } else {
                    Map<String, Object> match = new LinkedHashMap<>();
                    match.put("match", m.group());
                    match.put("index", m.start());
                    List<String> groups = new ArrayList<>();
                    for (int g = 1; g <= m.groupCount(); g++) {
                        groups.add(m.group(g));
                    }
                    match.put("groups", groups);
                    if (!(Functions.funcApply(replacement, List.of(match)) instanceof String value)) {
                        throw new JException("D3012", -1);
                    }
                    out.append(value);
                }
                if (out.length() > MAX_STRING_LENGTH) {
                    throw new Refused("$replace built a string longer than the most a step may build, "
                            + MAX_STRING_LENGTH + " characters.");
                }
                from = m.end();
                done++;
            }
            return out.append(str, from, str.length()).toString();
        }

        @Nullable
        Object split(List<?> args) {
            String str = (String) args.get(0);
            if (str == null) {
                return null;
            }
            Integer limit = limit(args, 2, "D3020");
            List<String> parts = new ArrayList<>();
            Object separator = args.get(1);
            if (separator instanceof String literal) {
                if (literal.isEmpty()) {
                    for (int i = 0; i < str.length() && (limit == null || parts.size() < limit); i++) {
                        add(parts, "$split", String.valueOf(str.charAt(i)));
                    }
                    return parts;
                }
                int from = 0;
                for (int at; (limit == null || parts.size() < limit) && (at = str.indexOf(literal, from)) >= 0; ) {
                    add(parts, "$split", str.substring(from, at));
                    from = at + literal.length();
                }
                if (limit == null || parts.size() < limit) {
                    add(parts, "$split", str.substring(from));
                }
                return parts;
            }
            Matcher m = matcher((Pattern) separator, str);
            int from = 0;
            while ((limit == null || parts.size() < limit) && m.find()) {
                if (m.end() == 0 && m.start() == 0) {
                    continue; // an empty match at the very start splits nothing off
                }
                add(parts, "$split", str.substring(from, m.start()));
                from = m.end();
            }
            if (limit == null || parts.size() < limit) {
                add(parts, "$split", str.substring(from));
            }
            return parts;
        }

        /**
         * Adds to a sequence a function builds, refusing past the most a step may build: checked as it
         * grows, since the check after each step would come only once millions of items were held.
         */
        private static <T> void add(List<T> sequence, String function, T item) {
            if (sequence.size() >= MAX_SEQUENCE_LENGTH) {
                throw new Refused(function + " built a sequence longer than the most a step may build, "
                        + MAX_SEQUENCE_LENGTH + " items.");
            }
            sequence.add(item);
        }

        private static @Nullable Integer limit(List<?> args, int index, String error) {
            Object value = args.size() > index ? args.get(index) : null;
            if (value == null) {
                return null;
            }
            int limit = ((Number) value).intValue();
            if (limit < 0) {
                throw new JException(error, -1, value);
            }
            return limit;
        }

        /**
         * A JSONata replacement: {@code $$} is a {@code $}, {@code $n} the n-th group (the longest
         * number that names a group; an unknown group is empty), any other {@code $} itself.
         */
        private static void expand(String template, Matcher m, StringBuilder out) {
            for (int i = 0; i < template.length(); i++) {
                char c = template.charAt(i);
                if (c != '$' || i + 1 >= template.length()) {
                    out.append(c);
                    continue;
                }
                char next = template.charAt(i + 1);
                if (next == '$') {
                    out.append('$');
                    i++;
                } else if (Character.isDigit(next)) {
                    int end = i + 1;
                    while (end < template.length() && Character.isDigit(template.charAt(end))) {
                        end++;
                    }
                    // The longest prefix of the digits that names a group; the rest is literal text.
                    int digitsEnd = end;
                    while (digitsEnd > i + 2
                            && Integer.parseInt(template.substring(i + 1, digitsEnd)) > m.groupCount()) {
                        digitsEnd--;
                    }
                    int group = parseGroup(template.substring(i + 1, digitsEnd));
                    if (group <= m.groupCount() && m.group(group) != null) {
                        out.append(m.group(group));
                    }
                    i = digitsEnd - 1;
                } else {
                    out.append(c);
                }
            }
        }

        private static int parseGroup(String digits) {
            try {
                return Integer.parseInt(digits);
            } catch (NumberFormatException e) {
                return Integer.MAX_VALUE;
            }
        }
    }

    /** The same regular expression on RE2/J, or a clear refusal for what RE2/J does not do. */
    private static com.google.re2j.Pattern linear(Pattern pattern) {
        int flags = 0;
        if ((pattern.flags() & Pattern.CASE_INSENSITIVE) != 0) {
            flags |= com.google.re2j.Pattern.CASE_INSENSITIVE;
        }
        if ((pattern.flags() & Pattern.MULTILINE) != 0) {
            flags |= com.google.re2j.Pattern.MULTILINE;
        }
        try {
            return com.google.re2j.Pattern.compile(pattern.pattern(), flags);
        } catch (PatternSyntaxException e) {
            throw new Refused("The regular expression /" + pattern.pattern() + "/ uses a feature Flowgate does not"
                    + " run (regular expressions run in linear time: no backreferences, lookahead or lookbehind): "
                    + e.getDescription() + ".");
        }
    }

    /**
     * A regular expression may only be an argument of $match, $replace, $split or $contains, and
     * those names may not be re-bound (by {@code :=} or as a function parameter); anything else
     * would apply it with the JDK's backtracking engine.
     */
    private static void checkRegexUse(Jsonata expression) {
        Object ast = field(expression, "ast");
        Set<Object> allowed = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        List<Object> regexes = new ArrayList<>();
        walk(ast, java.util.Collections.newSetFromMap(new IdentityHashMap<>()), node -> {
            String type = (String) field(node, "type");
            if ("regex".equals(type)) {
                regexes.add(node);
            } else if ("function".equals(type) || "partial".equals(type)) {
                Object procedure = field(node, "procedure");
                if (procedure != null
                        && "variable".equals(field(procedure, "type"))
                        && REGEX_FUNCTIONS.contains(String.valueOf(field(procedure, "value")))) {
                    Object arguments = field(node, "arguments");
                    if (arguments instanceof List<?> list) {
                        allowed.addAll(list);
                    }
                }
            } else if ("bind".equals(type)) {
                rebinding(field(node, "lhs"));
            } else if ("lambda".equals(type)) {
                if (field(node, "arguments") instanceof List<?> parameters) {
                    parameters.forEach(GuardedJsonata::rebinding);
                }
            }
        });
        for (Object regex : regexes) {
            if (!allowed.contains(regex)) {
                throw new Refused("A regular expression may only be written as an argument of $match, $replace,"
                        + " $split or $contains.");
            }
        }
    }

    private static void rebinding(Object variable) {
        if (variable != null && REGEX_FUNCTIONS.contains(String.valueOf(field(variable, "value")))) {
            throw new Refused("$" + field(variable, "value") + " cannot be re-bound.");
        }
    }

    /** Visits every parser node reachable from {@code node} once. */
    private static void walk(Object node, Set<Object> seen, java.util.function.Consumer<Object> visit) {
        if (node == null || !SYMBOL.isInstance(node) || !seen.add(node)) {
            return;
        }
        visit.accept(node);
        for (Class<?> c = node.getClass(); c != null && SYMBOL.isAssignableFrom(c); c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (f.isSynthetic()
                        || Modifier.isStatic(f.getModifiers())
                        || f.getType().isPrimitive()) {
                    continue;
                }
                walkValue(read(f, node), seen, visit);
            }
        }
    }

    private static void walkValue(Object value, Set<Object> seen, java.util.function.Consumer<Object> visit) {
        if (value instanceof Collection<?> items) {
            items.forEach(item -> walkValue(item, seen, visit));
        } else if (value instanceof Object[] items) {
            for (Object item : items) {
                walkValue(item, seen, visit);
            }
        } else if (value instanceof Map<?, ?> map) {
            map.values().forEach(item -> walkValue(item, seen, visit));
        } else {
            walk(value, seen, visit);
        }
    }

    private static final Class<?> SYMBOL = symbolClass();

    private static Class<?> symbolClass() {
        try {
            return Class.forName("com.dashjoin.jsonata.Parser$Symbol");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("this JSONata version has no parser symbols to check", e);
        }
    }

    private static Object field(Object target, String name) {
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            try {
                return read(c.getDeclaredField(name), target);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            }
        }
        throw new IllegalStateException("this JSONata version has no field " + name + " on " + target.getClass());
    }

    private static Object read(Field f, Object target) {
        if (!f.trySetAccessible()) {
            throw new IllegalStateException("cannot read " + f + " of the JSONata parser");
        }
        try {
            return f.get(target);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
