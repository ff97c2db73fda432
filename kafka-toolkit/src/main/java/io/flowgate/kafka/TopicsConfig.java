package io.flowgate.kafka;

import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

/** Every service declares every topic from the same {@link TopicSettings}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(TopicSettings.class)
public class TopicsConfig {

    @Bean
    KafkaAdmin.NewTopics flowgateTopics(TopicSettings topics) {
        return new KafkaAdmin.NewTopics(topics.newTopics().toArray(NewTopic[]::new));
    }
}
