package io.flowgate.api.job;

import io.flowgate.api.config.ApiProperties;
import io.flowgate.api.operation.OperationCatalog;
import io.flowgate.contracts.JobStatus;
import io.flowgate.kafka.TopicSettings;
import io.flowgate.tenancy.TenantDirectory;
import java.time.Clock;
import org.apache.kafka.streams.StreamsBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The API's Kafka Streams topology: the job-status view and the operation catalog. */
@Configuration(proxyBeanMethods = false)
class TopologyConfig {

    @Bean
    TopologyMarker apiTopology(
            StreamsBuilder builder,
            ApiProperties properties,
            TopicSettings topics,
            JobStatusUpdates updates,
            InFlightJobs inFlight,
            TenantDirectory tenants,
            Clock clock) {
        JobStatusTopology.Listener listener = new JobStatusTopology.Listener() {
            @Override
            public void applied(JobStatus status) {
                inFlight.observed(status);
                updates.published(status);
            }

            @Override
            public void removed(JobStatus last) {
                inFlight.release(last.tenantId(), last.jobId());
            }

            @Override
            public void released(JobStatus status) {
                inFlight.release(status.tenantId(), status.jobId());
            }
        };
        JobStatusTopology.addTo(
                builder,
                topics.jobStatusRetention(),
                properties.statusPurgeInterval(),
                listener,
                tenants::isOffboarded,
                clock);
        OperationCatalog.addTo(builder);
        return new TopologyMarker();
    }

    /** Marks that the topology has been added to the builder. */
    record TopologyMarker() {}
}
