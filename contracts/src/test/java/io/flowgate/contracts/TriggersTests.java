package io.flowgate.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

class TriggersTests {

    private static final Instant T = Instant.parse("2026-12-04T05:00:00Z");
    private static final Triggers.Definition EVENTS =
            Triggers.find("event-received").orElseThrow();
    private static final Triggers.Definition JOBS =
            Triggers.find("job-completed").orElseThrow();

    private static TriggerEvent event(String type) {
        return new TriggerEvent(
                "t1",
                "event-received",
                "e1",
                type,
                T,
                T.plusSeconds(1),
                JsonNodeFactory.instance.objectNode().put("k", 1));
    }

    private static JobStatus finished(JobState state) {
        JobStatus running =
                new JobStatus("t1", "job-1", "csv-to-json", JobState.RUNNING, 50, null, null, null, "h", T, T);
        return state == JobState.SUCCEEDED
                ? running.succeeded(JsonNodeFactory.instance.arrayNode().add(1), T.plusSeconds(2))
                : running.ended(state, new JobError("urn:x", "X", 400, "bad", null), T.plusSeconds(2));
    }

    @Test
    void filtersAreCheckedAndCanonical() {
        assertThat(Triggers.filter(JOBS, Map.of("outcome", "failed", "operation", "csv-to-json")))
                .containsExactlyInAnyOrderEntriesOf(Map.of("operation", "csv-to-json", "outcome", "failed"));
        assertThat(Triggers.filter(EVENTS, Map.of("type", "")))
                .as("an empty value is no filter")
                .isEmpty();
        assertThat(Triggers.canonical(Map.of("outcome", "failed", "operation", "a")))
                .isEqualTo("operation=1:a\noutcome=6:failed\n");
        assertThat(Triggers.canonical(Map.of("condition", "a\noperation=b")))
                .as("a condition with a line break is not another filter")
                .isNotEqualTo(Triggers.canonical(Map.of("condition", "a", "operation", "b")));
        assertThat(Triggers.filter(JOBS, Map.of("condition", "data.outcome = 'failed'")))
                .containsEntry("condition", "data.outcome = 'failed'");
        assertThatThrownBy(() -> Triggers.filter(JOBS, Map.of("condition", "x".repeat(2001))))
                .isInstanceOf(Triggers.InvalidFilter.class);
        assertThatThrownBy(() -> Triggers.filter(EVENTS, Map.of("colour", "red")))
                .isInstanceOf(Triggers.InvalidFilter.class)
                .hasMessageContaining("colour");
        assertThatThrownBy(() -> Triggers.filter(JOBS, Map.of("outcome", "running")))
                .isInstanceOf(Triggers.InvalidFilter.class);
        assertThatThrownBy(() -> Triggers.filter(EVENTS, Map.of("type", "a\nb")))
                .isInstanceOf(Triggers.InvalidFilter.class);
        assertThatThrownBy(() -> Triggers.filter(JOBS, Map.of("operation", "Not An Operation")))
                .isInstanceOf(Triggers.InvalidFilter.class);
    }

    @Test
    void eventsMatchTheirTriggersFilters() {
        assertThat(Triggers.matches(Map.of(), event("a"))).isTrue();
        assertThat(Triggers.matches(Map.of("type", "a"), event("a"))).isTrue();
        assertThat(Triggers.matches(Map.of("type", "a"), event("ab"))).isFalse();

        TriggerEvent failed = Triggers.jobCompleted(finished(JobState.FAILED), T);
        assertThat(Triggers.matches(Map.of("operation", "csv-to-json", "outcome", "failed"), failed))
                .isTrue();
        assertThat(Triggers.matches(Map.of("outcome", "succeeded"), failed)).isFalse();
        assertThat(Triggers.matches(Map.of("operation", "delay"), failed)).isFalse();
        assertThat(Triggers.matches(Map.of("type", "a", "condition", "false"), event("a")))
                .as("a condition is left to the services, which evaluate it on the item")
                .isTrue();
    }

    @Test
    void aJobCompletedEventIsTheJobsFirstFinalStatusWithTheJobsIdAsItsOwn() {
        TriggerEvent done = Triggers.jobCompleted(finished(JobState.SUCCEEDED), T.plusSeconds(3));
        assertThat(done.eventId()).isEqualTo("job-1");
        assertThat(done.trigger()).isEqualTo("job-completed");
        assertThat(done.occurredAt()).isEqualTo(T.plusSeconds(2));
        var item = Triggers.item(done);
        assertThat(item.get("eventId").asString()).isEqualTo("job-1");
        assertThat(item.get("status").asString()).isEqualTo("succeeded");
        assertThat(item.get("result").get(0).asInt()).isEqualTo(1);
        assertThat(item.has("error")).isFalse();
        assertThat(Triggers.item(Triggers.jobCompleted(finished(JobState.EXPIRED), T))
                        .get("error")
                        .get("status")
                        .asInt())
                .isEqualTo(400);
        assertThatThrownBy(() -> Triggers.jobCompleted(
                        new JobStatus("t1", "j", "op", JobState.RUNNING, 0, null, null, null, "h", T, T), T))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyItemHasWhatItsSchemaRequires() {
        var eventItem = Triggers.item(event("a"));
        EVENTS.itemSchema()
                .get("required")
                .forEach(name -> assertThat(eventItem.has(name.asString()))
                        .as(name.asString())
                        .isTrue());
        var jobItem = Triggers.item(Triggers.jobCompleted(finished(JobState.CANCELLED), T));
        JOBS.itemSchema()
                .get("required")
                .forEach(name -> assertThat(jobItem.has(name.asString()))
                        .as(name.asString())
                        .isTrue());
        // Draft-04 keywords only, for OpenAPI 2.0 designers: no type arrays anywhere.
        for (var trigger : Triggers.all()) {
            trigger.itemSchema().get("properties").forEach(property -> {
                if (property.has("type")) {
                    assertThat(property.get("type").isString()).isTrue();
                }
            });
        }
    }
}
