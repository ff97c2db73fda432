package io.flowgate.api.job;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** Ready only once the job-status view answers queries (part of the readiness group); also a gauge of it. */
@Component("statusView")
class StatusViewHealth implements HealthIndicator {

    private final JobStatusView view;

    StatusViewHealth(JobStatusView view, MeterRegistry meters) {
        this.view = view;
        // 1 while Kafka Streams runs (the views answer), 0 otherwise: the FlowgateStreamsViewStopped alert.
        Gauge.builder("flowgate.api.streams.running", view, v -> v.isQueryable() ? 1 : 0)
                .description("1 while the API's Kafka Streams views run and answer queries")
                .register(meters);
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
