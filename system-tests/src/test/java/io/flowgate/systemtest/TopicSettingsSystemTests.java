package io.flowgate.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flowgate.contracts.Topic;
import io.flowgate.contracts.Topics;
import io.flowgate.devstack.LocalStack;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * Every service declares every topic from one definition ({@code TopicSettings}), and brings an
 * existing topic to it: whichever service starts first, a topic has its declared settings. Checked
 * with worker-service, which has no setting of its own about statuses or events, on a fresh broker.
 */
class TopicSettingsSystemTests {

    @Test
    void whicheverServiceStartsFirstTheTopicsHaveTheirDeclaredSettings() throws Exception {
        var broker = (EmbeddedKafkaKraftBroker) new EmbeddedKafkaKraftBroker(1, 1)
                .brokerProperties(Map.of(
                        "transaction.state.log.replication.factor", "1",
                        "transaction.state.log.min.isr", "1",
                        "offsets.topic.replication.factor", "1"));
        broker.afterPropertiesSet();
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()))) {
            // The worker starts first on a fresh broker: it creates the topics, retention included.
            try (var worker = worker(broker, 2)) {
                hasSetting(
                        admin,
                        Topics.JOB_STATUS,
                        "retention.ms",
                        Long.toString(Duration.ofDays(90).toMillis()));
                hasSetting(admin, Topics.JOB_STATUS, "cleanup.policy", "compact,delete");
                hasSetting(
                        admin,
                        Topics.EVENTS,
                        "retention.ms",
                        Long.toString(Duration.ofDays(30).toMillis()));
                hasSetting(admin, Topics.TENANTS, "cleanup.policy", "compact");
            }

            // A topic changed behind Flowgate's back (by hand, or by an older version) ...
            admin.incrementalAlterConfigs(Map.of(
                            resource(Topics.JOB_STATUS),
                            List.of(new AlterConfigOp(
                                    new ConfigEntry(
                                            "retention.ms",
                                            Long.toString(Duration.ofDays(7).toMillis())),
                                    AlterConfigOp.OpType.SET))))
                    .all()
                    .get();
            hasSetting(
                    admin,
                    Topics.JOB_STATUS,
                    "retention.ms",
                    Long.toString(Duration.ofDays(7).toMillis()));

            // ... is brought back by the next service to start, with more partitions if asked.
            try (var worker = worker(broker, 3)) {
                hasSetting(
                        admin,
                        Topics.JOB_STATUS,
                        "retention.ms",
                        Long.toString(Duration.ofDays(90).toMillis()));
                assertThat(admin.describeTopics(List.of(Topics.JOBS.name()))
                                .allTopicNames()
                                .get()
                                .get(Topics.JOBS.name())
                                .partitions())
                        .hasSize(3);
            }
        } finally {
            broker.destroy();
        }
    }

    private static ConfigurableApplicationContext worker(EmbeddedKafkaKraftBroker broker, int partitions) {
        // Through the stack, so that closing it leaves the shared stack's servers running.
        return LocalStack.startOtherWorker(
                broker.getBrokersAsString(), Map.of("flowgate.kafka.partitions", partitions));
    }

    private static ConfigResource resource(Topic<?, ?> topic) {
        return new ConfigResource(ConfigResource.Type.TOPIC, topic.name());
    }

    /**
     * A broker answers describeConfigs from its copy of the cluster metadata, which follows the
     * controller's log a moment after an alteration is acknowledged: read until it has caught up.
     */
    private static void hasSetting(Admin admin, Topic<?, ?> topic, String name, String expected) {
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(setting(admin, topic, name))
                        .as("%s of %s", name, topic.name())
                        .isEqualTo(expected));
    }

    private static String setting(Admin admin, Topic<?, ?> topic, String name) throws Exception {
        return admin.describeConfigs(List.of(resource(topic)))
                .all()
                .get()
                .get(resource(topic))
                .get(name)
                .value();
    }
}
