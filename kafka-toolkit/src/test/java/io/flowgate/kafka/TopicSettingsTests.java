package io.flowgate.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowgate.contracts.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

class TopicSettingsTests {

    private final TopicSettings settings = new TopicSettings(4, (short) 3, 2, Duration.ofDays(90), Duration.ofDays(30));

    @Test
    void everyTopicIsDeclaredWithItsPartitionsReplicasAndPolicy() {
        Map<String, NewTopic> topics =
                settings.newTopics().stream().collect(Collectors.toMap(NewTopic::name, Function.identity()));

        assertThat(topics.keySet())
                .containsExactlyInAnyOrderElementsOf(
                        Topics.all().stream().map(t -> t.name()).toList());
        assertThat(topics.values()).allSatisfy(topic -> {
            assertThat(topic.numPartitions()).isEqualTo(4);
            assertThat(topic.replicationFactor()).isEqualTo((short) 3);
            assertThat(topic.configs()).containsKey("cleanup.policy").containsEntry("min.insync.replicas", "2");
        });
        assertThat(topics.get(Topics.JOB_STATUS.name()).configs())
                .containsEntry("cleanup.policy", "compact,delete")
                .containsEntry("retention.ms", Long.toString(Duration.ofDays(90).toMillis()));
        assertThat(topics.get(Topics.EVENTS.name()).configs())
                .containsEntry("retention.ms", Long.toString(Duration.ofDays(30).toMillis()));
        assertThat(topics.get(Topics.JOBS.name()).configs()).doesNotContainKey("retention.ms");
    }
}
