package io.flowgate.kafka;

import io.flowgate.contracts.Topic;
import io.flowgate.contracts.Topics;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Flowgate's topics as every service declares them: the one definition of each topic's partitions,
 * replicas and settings. Every service declares all of them, and Spring's {@code KafkaAdmin}
 * ({@code spring.kafka.admin.modify-topic-configs}) brings an existing topic's settings to this
 * definition, so whichever service starts first, the topics end up the same.
 *
 * @param partitions partitions of every topic (an existing topic with fewer gets more; never fewer)
 * @param replicationFactor replicas of every topic created
 * @param minInsyncReplicas the {@code min.insync.replicas} of every topic: with the producers'
 *     {@code acks=all}, how many replicas hold a write before it counts (2 of 3 on a production
 *     cluster, so one broker can be lost; 1 on the local one-broker stack)
 * @param jobStatusRetention how long a job's latest status is kept after its last change: the
 *     {@code retention.ms} of {@code flowgate.job-status.v1}, and how long a finished job can be polled
 * @param eventRetention how long trigger events are kept: the {@code retention.ms} of {@code
 *     flowgate.events.v1}, and so the lifetime of a polling trigger's cursor
 */
@ConfigurationProperties("flowgate.kafka")
@Validated
public record TopicSettings(
        @DefaultValue("6") @Positive int partitions,
        @DefaultValue("1") @Positive short replicationFactor,
        @DefaultValue("1") @Positive int minInsyncReplicas,
        @DefaultValue("90d") Duration jobStatusRetention,
        @DefaultValue("30d") Duration eventRetention) {

    /** Every topic of {@link Topics#all()}, with its settings. */
    public List<NewTopic> newTopics() {
        return Topics.all().stream().map(this::newTopic).toList();
    }

    /** {@code topic} with these partitions and replicas, and its settings. */
    public NewTopic newTopic(Topic<?, ?> topic) {
        Map<String, String> config = new HashMap<>(topic.config());
        config.put("min.insync.replicas", Integer.toString(minInsyncReplicas));
        if (topic.name().equals(Topics.JOB_STATUS.name())) {
            config.put("retention.ms", Long.toString(jobStatusRetention.toMillis()));
        } else if (topic.name().equals(Topics.EVENTS.name())) {
            config.put("retention.ms", Long.toString(eventRetention.toMillis()));
        }
        return new NewTopic(topic.name(), partitions, replicationFactor).configs(config);
    }
}
