package io.flowgate.dispatcher.config;

import io.flowgate.contracts.CallbackDeadLettered;
import io.flowgate.contracts.CallbackRequested;
import io.flowgate.contracts.DeliveryAttempted;
import io.flowgate.contracts.Topics;
import io.flowgate.dispatcher.delivery.CallbackConsumer;
import io.flowgate.dispatcher.delivery.Dispatcher;
import io.flowgate.dispatcher.delivery.DispatcherProperties;
import io.flowgate.dispatcher.delivery.RetryTiers;
import io.flowgate.dispatcher.delivery.SubscriptionDirectory;
import io.flowgate.kafka.Readers;
import io.flowgate.kafka.ReadersConfig;
import io.flowgate.kafka.TopicSettings;
import io.flowgate.kafka.TopicsConfig;
import io.flowgate.tenancy.TenantDirectory;
import io.flowgate.webhooks.SecretBox;
import io.flowgate.webhooks.WebhookSettings;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.MicrometerProducerListener;
import org.springframework.kafka.support.serializer.DelegatingByTypeSerializer;

/** The dispatcher's parts: topics, views, producer, the dispatcher and its consumer. */
@Configuration(proxyBeanMethods = false)
@Import({ReadersConfig.class, TopicsConfig.class})
@EnableConfigurationProperties({WebhookSettings.class, DispatcherProperties.class})
class DispatcherConfig {

    /** The retry tiers' topics, which only the dispatcher reads and writes. */
    @Bean
    KafkaAdmin.NewTopics retryTopics(TopicSettings topics, DispatcherProperties settings) {
        return new KafkaAdmin.NewTopics(new RetryTiers(settings.retryTiers())
                .topics().stream().map(topics::newTopic).toArray(NewTopic[]::new));
    }

    @Bean(destroyMethod = "close")
    TenantDirectory tenantDirectory(KafkaProperties kafka, Readers readers) {
        return TenantDirectory.start(kafka.buildConsumerProperties(), "flowgate-dispatcher-tenants", readers);
    }

    @Bean(destroyMethod = "close")
    SubscriptionDirectory subscriptionDirectory(KafkaProperties kafka, Readers readers) {
        return new SubscriptionDirectory(kafka.buildConsumerProperties(), readers);
    }

    /** Retries, dead letters and attempts, each written acks=all before a callback's offset is committed. */
    @Bean
    KafkaTemplate<String, Object> deliveryTemplate(KafkaProperties kafka, MeterRegistry meters) {
        Map<String, Object> config = kafka.buildProducerProperties();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        Map<Class<?>, Serializer<?>> byType = Map.of(
                CallbackRequested.class, Topics.CALLBACKS.valueSerde().serializer(),
                DeliveryAttempted.class, Topics.DELIVERY_ATTEMPTS.valueSerde().serializer(),
                CallbackDeadLettered.class,
                        Topics.CALLBACK_DEAD_LETTERS.valueSerde().serializer());
        var factory = new DefaultKafkaProducerFactory<String, Object>(
                config, new StringSerializer(), new DelegatingByTypeSerializer(byType));
        factory.addListener(new MicrometerProducerListener<>(meters));
        return new KafkaTemplate<>(factory);
    }

    /** Attempts run on virtual threads: each waits on its receiver, none holds a platform thread. */
    @Bean(destroyMethod = "close")
    ExecutorService attemptExecutor() {
        return Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("callback-attempt-", 0).factory());
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean(destroyMethod = "close")
    Dispatcher dispatcher(
            TenantDirectory tenants,
            SubscriptionDirectory subscriptions,
            WebhookSettings webhooks,
            KafkaTemplate<String, Object> deliveryTemplate,
            MeterRegistry meters,
            Clock clock,
            DispatcherProperties settings,
            ExecutorService attemptExecutor) {
        var parts = new Dispatcher.Parts(
                tenants,
                subscriptions,
                SecretBox.fromKeyset(webhooks.keyset()),
                webhooks.policy(),
                webhooks.keys(),
                deliveryTemplate,
                meters,
                clock);
        return new Dispatcher(parts, settings, attemptExecutor);
    }

    @Bean
    DeliveryLifecycle deliveryLifecycle(
            KafkaProperties kafka,
            Dispatcher dispatcher,
            TenantDirectory tenants,
            SubscriptionDirectory subscriptions,
            DispatcherProperties settings,
            Clock clock,
            MeterRegistry meters,
            Readers readers) {
        Map<String, Object> consumerConfig = new HashMap<>(kafka.buildConsumerProperties());
        return new DeliveryLifecycle(
                () -> new CallbackConsumer(consumerConfig, dispatcher, settings.maxPending(), clock, meters, readers),
                tenants,
                subscriptions,
                settings.catchUpTimeout());
    }
}
