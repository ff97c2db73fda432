package io.flowgate.api.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowgate.api.trigger.TriggerStates.Position;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TriggerStatesTests {

    private static final String SECRET = "0123456789abcdef0123456789abcdef-test";
    private final TriggerStates states = new TriggerStates(SECRET);
    private final Map<String, String> filter = Map.of("type", "order.created");

    @Test
    void aSealedStateOpensForExactlyWhatItWasSealedFor() {
        String state = states.seal("t1", "event-received", filter, new Position(3, 41));
        assertThat(states.open("t1", "event-received", filter, state)).contains(new Position(3, 41));
        assertThat(states.open("t1", "event-received", Map.of(), state))
                .as("other filter")
                .isEmpty();
        assertThat(states.open("t2", "event-received", filter, state))
                .as("other tenant")
                .isEmpty();
        assertThat(states.open("t1", "job-completed", filter, state))
                .as("other trigger")
                .isEmpty();
        assertThat(new TriggerStates(SECRET + "x").open("t1", "event-received", filter, state))
                .as("other key")
                .isEmpty();
        assertThat(states.open(
                        "t1",
                        "event-received",
                        filter,
                        states.seal("t1", "event-received", filter, new Position(0, -1))))
                .contains(new Position(0, -1));
    }

    @Test
    void aTamperedOrMalformedStateDoesNotOpen() {
        String state = states.seal("t1", "event-received", filter, new Position(3, 41));
        assertThat(states.open("t1", "event-received", filter, state.replace(".41.", ".42.")))
                .isEmpty();
        assertThat(states.open("t1", "event-received", filter, state.replace("1.3.", "1.4.")))
                .isEmpty();
        for (String bad : new String[] {
            "", "1", "1.3.41", "2" + state.substring(1), state + "x", "1.3.99999999999999999999.AAAAAAAAAAAAAAAAAAAAAA"
        }) {
            assertThat(states.open("t1", "event-received", filter, bad)).as(bad).isEmpty();
        }
    }
}
