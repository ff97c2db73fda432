package io.flowgate.api.job;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** Ready only once the job-status view answers queries (part of the readiness group). */
@Component("statusView")
class StatusViewHealth implements HealthIndicator {

    private final JobStatusView view;

    StatusViewHealth(JobStatusView view) {
        this.view = view;
    }

    @Override
    public Health health() {
        return view.isQueryable()
                ? Health.up().build()
                : Health.down()
                        .withDetail("reason", "Kafka Streams is not running yet")
                        .build();
    }
}
