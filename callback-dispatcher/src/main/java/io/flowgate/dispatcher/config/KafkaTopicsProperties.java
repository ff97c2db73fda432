package io.flowgate.dispatcher.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How Flowgate's topics are created at start-up (the same settings as the other services').
 *
 * @param partitions partitions of every topic
 * @param replicationFactor replicas of every topic
 */
@ConfigurationProperties("flowgate.kafka")
public record KafkaTopicsProperties(
        @DefaultValue("6") int partitions,
        @DefaultValue("1") short replicationFactor) {}
