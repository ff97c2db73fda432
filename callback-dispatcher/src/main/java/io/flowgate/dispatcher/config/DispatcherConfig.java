package io.flowgate.dispatcher.config;

import io.flowgate.dispatcher.delivery.CallbackConsumer;
import io.flowgate.dispatcher.delivery.Dispatcher;
import io.flowgate.dispatcher.delivery.DispatcherProperties;
import io.flowgate.dispatcher.delivery.EventFanout;
import io.flowgate.dispatcher.delivery.RetryTiers;
import io.flowgate.dispatcher.delivery.SubscriptionDirectory;
import io.flowgate.dispatcher.delivery.TraceContextHeaders;
import io.flowgate.kafka.Readers;
import io.flowgate.kafka.ReadersConfig;
import io.flowgate.kafka.TopicSettings;
import io.flowgate.kafka.TopicWriter;
import io.flowgate.kafka.TopicsConfig;
import io.flowgate.tenancy.TenantDirectory;
import io.flowgate.tenancy.TenantMetricsConfig;
import io.flowgate.webhooks.SecretBox;
import io.flowgate.webhooks.WebhookSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.core.KafkaAdmin;

/** The dispatcher's parts: topics, views, producer, the dispatcher and its consumer. */
@Configuration(proxyBeanMethods = false)
@Import({ReadersConfig.class, TopicsConfig.class, TenantMetricsConfig.class})
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
    TopicWriter deliveryWriter(KafkaProperties kafka, MeterRegistry meters, ObservationRegistry observations) {
        return TopicWriter.create(kafka.buildProducerProperties(), meters, observations);
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
            TopicWriter deliveryWriter,
            MeterRegistry meters,
            Clock clock,
            DispatcherProperties settings,
            ExecutorService attemptExecutor,
            ObjectProvider<Tracer> tracer,
            ObjectProvider<Propagator> propagator) {
        var parts = new Dispatcher.Parts(
                tenants,
                subscriptions,
                SecretBox.fromKeyset(webhooks.keyset()),
                webhooks.policy(),
                webhooks.keys(),
                deliveryWriter,
                meters,
                new TraceContextHeaders(tracer.getIfAvailable(), propagator.getIfAvailable()),
                clock);
        return new Dispatcher(
                parts,
                Dispatcher.Delivery.of(settings, webhooks.policy(), meters, attemptExecutor),
                settings.syncTimeout(),
                attemptExecutor);
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
            Readers readers,
            TopicWriter deliveryWriter,
            ExecutorService attemptExecutor) {
        Map<String, Object> consumerConfig = new HashMap<>(kafka.buildConsumerProperties());
        return new DeliveryLifecycle(
                List.of(
                        () -> new CallbackConsumer(
                                consumerConfig, dispatcher, settings.maxPending(), clock, meters, readers),
                        () -> new EventFanout(
                                consumerConfig,
                                subscriptions,
                                tenants,
                                deliveryWriter,
                                attemptExecutor,
                                clock,
                                meters,
                                readers)),
                tenants,
                subscriptions,
                settings.catchUpTimeout());
    }
}
