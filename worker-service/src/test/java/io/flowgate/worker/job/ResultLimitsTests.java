package io.flowgate.worker.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowgate.contracts.JobError;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;

class ResultLimitsTests {

    private static JsonNode nested(int depth) {
        ArrayNode root = JsonNodeFactory.instance.arrayNode();
        ArrayNode current = root;
        for (int i = 1; i < depth; i++) {
            current = current.addArray();
        }
        return root;
    }

    @Test
    void aResultWithinTheBoundsPasses() {
        assertThat(ResultLimits.check(nested(128), 1024, 128)).isNull();
    }

    @Test
    void aResultTooDeepFailsWith422() {
        JobError error = ResultLimits.check(nested(129), 1_000_000, 128);
        assertThat(error).isNotNull();
        assertThat(error.type()).endsWith("result-too-deep");
        assertThat(error.status()).isEqualTo(422);
    }

    @Test
    void depthIsCountedWithoutRecursionEvenForVeryDeepResults() {
        assertThat(ResultLimits.depth(nested(100_000), 128)).isEqualTo(129);
    }

    @Test
    void aResultTooLargeFailsWith422() {
        JsonNode big = JsonNodeFactory.instance.textNode("x".repeat(2000));
        JobError error = ResultLimits.check(big, 1000, 128);
        assertThat(error).isNotNull();
        assertThat(error.type()).endsWith("result-too-large");
        assertThat(error.status()).isEqualTo(422);
        assertThat(ResultLimits.check(big, 2002, 128)).isNull();
    }
}
