package io.flowgate.api.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowgate.contracts.Topics;
import io.flowgate.contracts.TriggerEvent;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

/** The event index's rules, driven without a broker. */
class EventIndexTopologyTests {

    private static final Duration RETENTION = Duration.ofDays(30);
    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    private static final String KEY = Topics.eventKey("t1", "event-received");

    private TopologyTestDriver driver;
    private TestInputTopic<String, TriggerEvent> events;
    private KeyValueStore<String, TriggerEvent> index;
    private KeyValueStore<String, Long> keys;
    private final Set<String> offboarded = new HashSet<>();

    @BeforeEach
    void start() throws Exception {
        StreamsBuilder builder = new StreamsBuilder();
        EventIndexTopology.addTo(builder, RETENTION, Duration.ofHours(1), offboarded::contains);
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "event-index-test");
        config.put(
                StreamsConfig.STATE_DIR_CONFIG,
                Files.createTempDirectory("event-index").toString());
        driver = new TopologyTestDriver(builder.build(), config, T0);
        events = driver.createInputTopic(
                Topics.EVENTS.name(),
                Topics.EVENTS.keySerde().serializer(),
                Topics.EVENTS.valueSerde().serializer());
        index = driver.getKeyValueStore(EventIndexTopology.EVENTS);
        keys = driver.getKeyValueStore(EventIndexTopology.KEYS);
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private static TriggerEvent event(String tenant, String id, Instant receivedAt) {
        return new TriggerEvent(
                tenant, "event-received", id, "a", receivedAt, receivedAt, JsonNodeFactory.instance.objectNode());
    }

    private List<KeyValue<String, TriggerEvent>> indexed(String key) {
        List<KeyValue<String, TriggerEvent>> all = new ArrayList<>();
        try (var range = index.range(EventIndexTopology.entry(key, 0), EventIndexTopology.lastEntry(key))) {
            range.forEachRemaining(all::add);
        }
        return all;
    }

    @Test
    void eventsAreIndexedInOffsetOrderUnderTheirKeyAndAReplayOnce() {
        events.pipeInput(KEY, event("t1", "e1", T0));
        events.pipeInput(KEY, event("t1", "e2", T0)); // the same timestamp
        events.pipeInput(KEY, event("t1", "e1", T0.plusSeconds(5))); // a replay of e1
        events.pipeInput(KEY, event("t1", "e3", T0));

        assertThat(indexed(KEY)).extracting(kv -> kv.value.eventId()).containsExactly("e1", "e2", "e3");
        assertThat(indexed(KEY))
                .extracting(kv -> EventIndexTopology.offsetOf(kv.key))
                .containsExactly(0L, 1L, 3L);
    }

    @Test
    void anEventUnderAnotherTenantsKeyOrOfAnOffboardedTenantIsDropped() {
        events.pipeInput(KEY, event("t2", "forged", T0));
        offboarded.add("t3");
        events.pipeInput(Topics.eventKey("t3", "event-received"), event("t3", "late", T0));

        assertThat(indexed(KEY)).isEmpty();
        assertThat(indexed(Topics.eventKey("t3", "event-received"))).isEmpty();
    }

    @Test
    void aTombstoneRemovesEverythingOfItsKeyAndNothingElse() {
        String other = Topics.eventKey("t2", "event-received");
        events.pipeInput(KEY, event("t1", "e1", T0));
        events.pipeInput(other, event("t2", "e1", T0));
        events.pipeInput(KEY, (TriggerEvent) null);

        assertThat(indexed(KEY)).isEmpty();
        assertThat(keys.get(KEY)).isNull();
        assertThat(indexed(other)).hasSize(1);
        events.pipeInput(KEY, event("t1", "e1", T0));
        assertThat(indexed(KEY)).as("after the purge the id is free again").hasSize(1);
    }

    @Test
    void eventsPastTheRetentionAreRemovedOldestFirstAndTheKeyRemembersHowFar() {
        events.pipeInput(KEY, event("t1", "old", T0));
        events.pipeInput(KEY, event("t1", "new", T0.plus(RETENTION).plusSeconds(3600)));
        assertThat(keys.get(KEY)).isEqualTo(-1L);

        driver.advanceWallClockTime(RETENTION.plusHours(1).plusMinutes(1));

        assertThat(indexed(KEY)).extracting(kv -> kv.value.eventId()).containsExactly("new");
        assertThat(keys.get(KEY)).as("removed through offset 0").isZero();
    }
}
