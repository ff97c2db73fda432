package io.flowgate.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowgate.dispatcher.delivery.DispatcherProperties;
import io.flowgate.dispatcher.delivery.RetryTiers;
import io.flowgate.kafka.TopicSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.yaml.snakeyaml.Yaml;

/**
 * The chart's Strimzi topics ({@code charts/flowgate/files/kafka/topics.yaml}) are exactly the topics
 * the services create with their default settings: every service's {@link TopicSettings} and the
 * dispatcher's default retry tiers, with the same settings (min.insync.replicas aside: the chart
 * sets it from its values). A topic added in code and not in the chart fails here.
 */
class ChartTopicsTests {

    private static final Path TOPICS = Path.of("../charts/flowgate/files/kafka/topics.yaml");

    @Test
    void theChartDeclaresEveryTopicTheServicesCreateWithTheSameSettings() throws IOException {
        Binder defaults = new Binder(new MapConfigurationPropertySource());
        TopicSettings settings = defaults.bindOrCreate("flowgate.kafka", TopicSettings.class);
        DispatcherProperties dispatcher = defaults.bindOrCreate("flowgate.dispatcher", DispatcherProperties.class);
        List<NewTopic> created = Stream.concat(
                        settings.newTopics().stream(),
                        new RetryTiers(dispatcher.retryTiers())
                                .topics().stream().map(settings::newTopic))
                .toList();
        Map<String, Map<String, String>> expected = new TreeMap<>();
        for (NewTopic topic : created) {
            Map<String, String> config = new TreeMap<>(topic.configs());
            config.remove("min.insync.replicas");
            expected.put(topic.name(), config);
        }

        Map<String, Map<String, Object>> declared = new Yaml().load(Files.readString(TOPICS));
        Map<String, Map<String, String>> chart = new TreeMap<>();
        declared.forEach((name, config) -> {
            Map<String, String> values = new HashMap<>();
            config.forEach((key, value) -> values.put(key, String.valueOf(value)));
            chart.put(name, new TreeMap<>(values));
        });
        assertThat(chart).isEqualTo(expected);
    }
}
