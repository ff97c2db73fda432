package io.flowgate.worker.job;

import io.flowgate.contracts.JobError;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The bounds a job's result must keep: no deeper than the depth every reader of Flowgate's records
 * accepts, and small enough for a Kafka record with room for the envelope. A result outside them
 * fails the job with a 422 problem: the input caused it, and retrying will not help.
 */
final class ResultLimits {

    private static final String PROBLEM = "urn:flowgate:problem:";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ResultLimits() {}

    /** The error for a result outside the bounds, or null when it is within them. */
    static @Nullable JobError check(JsonNode result, long maxBytes, int maxDepth) {
        int depth = depth(result, maxDepth);
        if (depth > maxDepth) {
            return new JobError(
                    PROBLEM + "result-too-deep",
                    "Result too deep",
                    422,
                    "The result nests deeper than " + maxDepth + " levels, the most a result may.",
                    null);
        }
        long size = size(result, maxBytes);
        if (size > maxBytes) {
            return new JobError(
                    PROBLEM + "result-too-large",
                    "Result too large",
                    422,
                    "The result has more than " + maxBytes + " bytes of JSON, the most a result may have.",
                    null);
        }
        return null;
    }

    /** The nesting depth, counted without recursion and given up on past {@code limit}. */
    static int depth(JsonNode root, int limit) {
        record Level(JsonNode node, int depth) {}
        Deque<Level> todo = new ArrayDeque<>();
        todo.push(new Level(root, 1));
        int max = 0;
        while (!todo.isEmpty()) {
            Level level = todo.pop();
            max = Math.max(max, level.depth());
            if (max > limit) {
                return max;
            }
            if (level.node().isContainer()) {
                for (JsonNode child : level.node().values()) {
                    if (child.isContainer()) {
                        todo.push(new Level(child, level.depth() + 1));
                    }
                }
            }
        }
        return max;
    }

    /** The size of the JSON, counted as it is written and given up on past {@code limit}. */
    private static long size(JsonNode result, long limit) {
        Counting out = new Counting(limit);
        try {
            JSON.writeValue(out, result);
        } catch (RuntimeException e) {
            if (e instanceof TooLarge || e.getCause() instanceof TooLarge) {
                return limit + 1;
            }
            throw e;
        }
        return out.count;
    }

    private static final class TooLarge extends RuntimeException {
        TooLarge() {
            super(null, null, false, false);
        }
    }

    private static final class Counting extends OutputStream {
        private final long limit;
        private long count;

        Counting(long limit) {
            this.limit = limit;
        }

        @Override
        public void write(int b) {
            add(1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            add(len);
        }

        private void add(long n) {
            count += n;
            if (count > limit) {
                throw new TooLarge();
            }
        }
    }
}
