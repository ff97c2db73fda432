package io.flowgate.api.trigger;

import io.flowgate.kafka.TopicSettings;
import io.flowgate.tenancy.TenantDirectory;
import org.apache.kafka.streams.StreamsBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Adds the event index to the API's Kafka Streams topology. */
@Configuration(proxyBeanMethods = false)
class TriggerConfig {

    @Bean
    EventIndexMarker eventIndexTopology(
            StreamsBuilder builder, TopicSettings topics, TriggerProperties settings, TenantDirectory tenants) {
        EventIndexTopology.addTo(builder, topics.eventRetention(), settings.purgeInterval(), tenants::isOffboarded);
        return new EventIndexMarker();
    }

    /** Marks that the event index has been added to the topology. */
    record EventIndexMarker() {}
}
