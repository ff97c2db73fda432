package io.flowgate.worker.config;

import io.flowgate.contracts.CallbackRequested;
import io.flowgate.contracts.JobStatus;
import io.flowgate.contracts.OperationDescriptor;
import io.flowgate.contracts.Topics;
import io.flowgate.kafka.Readers;
import io.flowgate.kafka.ReadersConfig;
import io.flowgate.kafka.TopicsConfig;
import io.flowgate.tenancy.TenantDirectory;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.MicrometerProducerListener;
import org.springframework.kafka.support.serializer.DelegatingByTypeSerializer;

/** Topics and the producer for statuses and the operation catalog. */
@Configuration(proxyBeanMethods = false)
@Import({ReadersConfig.class, TopicsConfig.class})
class KafkaConfig {

    @Bean
    KafkaTemplate<String, Object> statusTemplate(KafkaProperties kafka, MeterRegistry meters) {
        Map<String, Object> config = kafka.buildProducerProperties();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        Map<Class<?>, Serializer<?>> byType = Map.of(
                JobStatus.class, Topics.JOB_STATUS.valueSerde().serializer(),
                OperationDescriptor.class, Topics.OPERATIONS.valueSerde().serializer(),
                CallbackRequested.class, Topics.CALLBACKS.valueSerde().serializer());
        var factory = new DefaultKafkaProducerFactory<String, Object>(
                config, new StringSerializer(), new DelegatingByTypeSerializer(byType));
        factory.addListener(new MicrometerProducerListener<>(meters));
        return new KafkaTemplate<>(factory);
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
