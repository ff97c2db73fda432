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

    @Test
    void timedIdsTellTheyWereIssuedWithinTheGraceAndOthersAlmostNeverDo() {
        JobIds ids = new JobIds("a-secret-long-enough-for-the-tests-0123456789");
        java.time.Instant now = java.time.Instant.parse("2026-12-04T12:00:00Z");
        java.time.Duration grace = java.time.Duration.ofMinutes(2);
        String id = ids.timed(now);

        assertThat(JobIds.isWellFormed(id)).isTrue();
        assertThat(JobIds.issuedWithin(id, now.plusSeconds(119), grace)).isTrue();
        assertThat(JobIds.issuedWithin(id, now.plusSeconds(121), grace)).isFalse();
        assertThat(JobIds.issuedWithin(id, now.minusSeconds(5), grace))
                .as("issued in the future")
                .isFalse();
        assertThat(ids.timed(now)).as("still random").isNotEqualTo(id);
        // Random and idempotent ids decode to a random time: none of 10,000 falls in the grace.
        for (int i = 0; i < 10_000; i++) {
            assertThat(JobIds.issuedWithin(ids.random(), now, grace)).isFalse();
            assertThat(JobIds.issuedWithin(ids.idempotent("t", "k" + i), now, grace))
                    .isFalse();
        }
    }
}
