/**
 * Kafka plumbing every Flowgate service shares: following a topic ({@link io.flowgate.kafka.TopicMirror}),
 * out-of-order commits ({@link io.flowgate.kafka.ConsumedOffsets}), skipping records that cannot be
 * read ({@link io.flowgate.kafka.SkippedRecords}) and keeping reader threads alive ({@link
 * io.flowgate.kafka.Readers}).
 */
@NullMarked
package io.flowgate.kafka;

import org.jspecify.annotations.NullMarked;
