package io.flowgate.contracts;

import java.util.Map;
import org.apache.kafka.common.serialization.Serde;

/**
 * A typed Kafka topic: its name, serdes and the topic-level configuration it is created with.
 *
 * @param name topic name, versioned with a {@code .v1} suffix
 * @param keySerde serde of the record key
 * @param valueSerde serde of the record value
 * @param config topic configuration used when Flowgate creates the topic (cleanup policy)
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde, Map<String, String> config) {}
