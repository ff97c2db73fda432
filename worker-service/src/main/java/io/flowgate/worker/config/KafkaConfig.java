package io.flowgate.worker.config;

import io.flowgate.kafka.Readers;
import io.flowgate.kafka.ReadersConfig;
import io.flowgate.kafka.TopicWriter;
import io.flowgate.kafka.TopicsConfig;
import io.flowgate.tenancy.TenantDirectory;
import io.flowgate.tenancy.TenantMetricsConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Clock;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** Topics and the producer for statuses and the operation catalog. */
@Configuration(proxyBeanMethods = false)
@Import({ReadersConfig.class, TopicsConfig.class, TenantMetricsConfig.class})
class KafkaConfig {

    /** Statuses, callbacks and the operation catalog, written acks=all. */
    @Bean
    TopicWriter topicWriter(KafkaProperties kafka, MeterRegistry meters, ObservationRegistry observations) {
        return TopicWriter.create(kafka.buildProducerProperties(), meters, observations);
    }

    /** The tenant registry: jobs and statuses of offboarded tenants are dropped. */
    @Bean(destroyMethod = "close")
    TenantDirectory tenantDirectory(KafkaProperties kafka, Readers readers) {
        return TenantDirectory.start(kafka.buildConsumerProperties(), "flowgate-worker-tenants", readers);
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
