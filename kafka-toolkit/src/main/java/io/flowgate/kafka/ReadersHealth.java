package io.flowgate.kafka;

import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * A service's health as its readers see it: DOWN while any reader has failed and not read since (it
 * is being started again), with every reader's state as details. Register it as the {@code readers}
 * health indicator, in the liveness and readiness groups.
 */
public final class ReadersHealth implements HealthIndicator {

    private final Readers readers;

    public ReadersHealth(Readers readers) {
        this.readers = readers;
    }

    @Override
    public Health health() {
        Map<String, Reader.State> states = readers.states();
        Health.Builder health = states.values().stream().allMatch(Reader.State::up) ? Health.up() : Health.down();
        return health.withDetails(states).build();
    }
}
