package io.flowgate.api.config;

import io.flowgate.api.replica.ReplicaProperties;
import io.flowgate.kafka.Readers;
import io.flowgate.kafka.ReadersConfig;
import io.flowgate.kafka.TopicWriter;
import io.flowgate.kafka.TopicsConfig;
import io.flowgate.tenancy.TenantDirectory;
import io.flowgate.tenancy.TenantMetricsConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.annotation.EnableKafkaStreams;
import org.springframework.kafka.config.StreamsBuilderFactoryBeanConfigurer;

/** Topics, the transactional command producer, and Kafka Streams for the status view. */
@Configuration(proxyBeanMethods = false)
@Import({ReadersConfig.class, TopicsConfig.class, TenantMetricsConfig.class})
@EnableKafkaStreams
class KafkaConfig {

    private static final Logger log = LoggerFactory.getLogger(KafkaConfig.class);

    /**
     * Leave the consumer group on close, so a restarted or replaced replica gets the partitions at
     * once instead of after the session timeout.
     */
    @Bean
    StreamsBuilderFactoryBeanConfigurer leaveGroupOnClose(Readers readers, ReplicaProperties replica) {
        return factory -> {
            factory.setLeaveGroupOnClose(true);
            // An unreadable or unprocessable record is skipped and counted, never a dead thread.
            Properties streams = Objects.requireNonNull(
                    factory.getStreamsConfiguration(), "Kafka Streams has no configuration to add the handlers to");
            streams.put(
                    StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                    SkippingStreamsHandlers.Deserialization.class.getName());
            streams.put(
                    StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                    SkippingStreamsHandlers.Processing.class.getName());
            streams.put(SkippingStreamsHandlers.SKIPPED, readers.skipped("flowgate-api-views"));
            // Where the other replicas reach this one for the keys it owns (StoreRoutes, InternalServer).
            streams.put(StreamsConfig.APPLICATION_SERVER_CONFIG, replica.applicationServer());
            factory.setStreamsConfiguration(streams);
            // A stream thread that fails (Kafka away during a rebalance, say) is replaced rather
            // than taking the whole client, and with it every view, down for good.
            factory.setStreamsUncaughtExceptionHandler(e -> {
                log.warn("A Kafka Streams thread failed; replacing it", e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            });
        };
    }

    /** The tenant registry, read from Kafka (and followed) by this replica. */
    @Bean(destroyMethod = "close")
    TenantDirectory tenantDirectory(KafkaProperties kafka, Readers readers) {
        return TenantDirectory.start(kafka.buildConsumerProperties(), "flowgate-api-tenants", readers);
    }

    /**
     * Commands are single records (a job, a cancel request), written acks=all by an idempotent
     * producer and answered only once Kafka has them. The status view derives the ACCEPTED and
     * CANCELLED statuses from them, so no write needs a transaction.
     */
    @Bean
    TopicWriter commandWriter(KafkaProperties kafka, MeterRegistry meters, ObservationRegistry observations) {
        return TopicWriter.create(kafka.buildProducerProperties(), meters, observations);
    }

    /**
     * The transactional producer of subscribe, which writes a subscription and its job together. Its
     * transactional ids are unique to this process: replicas never fence each other, and nothing is
     * consumed in these transactions, so no id needs to survive a restart.
     */
    @Bean
    TopicWriter subscribeWriter(KafkaProperties kafka, MeterRegistry meters, ObservationRegistry observations) {
        return TopicWriter.transactional(
                kafka.buildProducerProperties(),
                meters,
                observations,
                "flowgate-api-subscribe-" + UUID.randomUUID() + "-");
    }
}
