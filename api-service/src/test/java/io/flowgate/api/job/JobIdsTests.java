package io.flowgate.api.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobIdsTests {

    private final JobIds ids = new JobIds("test-secret");

    @Test
    void randomIdsAreWellFormedAndDistinct() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String id = ids.random();
            assertThat(JobIds.isWellFormed(id)).isTrue();
            assertThat(seen.add(id)).isTrue();
        }
    }

    @Test
    void idempotentIdsAreStablePerTenantAndKey() {
        assertThat(ids.idempotent("t1", "k")).isEqualTo(ids.idempotent("t1", "k"));
        assertThat(ids.idempotent("t1", "k")).isNotEqualTo(ids.idempotent("t2", "k"));
        assertThat(ids.idempotent("t1", "k")).isNotEqualTo(ids.idempotent("t1", "k2"));
        assertThat(JobIds.isWellFormed(ids.idempotent("t1", "k"))).isTrue();
    }

    @Test
    void idempotentIdsDependOnTheSecret() {
        assertThat(new JobIds("other").idempotent("t1", "k")).isNotEqualTo(ids.idempotent("t1", "k"));
    }

    @Test
    void anythingElseIsNotAJobId() {
        assertThat(JobIds.isWellFormed("../../etc")).isFalse();
        assertThat(JobIds.isWellFormed("short")).isFalse();
        assertThat(JobIds.isWellFormed("AAAAAAAAAAAAAAAAAAAAAAA")).isFalse();
    }
}
