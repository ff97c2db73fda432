package io.flowgate.worker.job;

import io.flowgate.contracts.JobCancelRequested;
import io.flowgate.contracts.Topics;
import io.flowgate.kafka.Reader;
import io.flowgate.kafka.Readers;
import io.flowgate.kafka.SkippedRecords;
import io.flowgate.worker.config.WorkerProperties;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Reads every cancel request, on every worker (no consumer group: a broadcast), from as far back as a
 * job can live. The worker running the job stops it; a worker that picks the job up later sees it
 * was cancelled and does not run it. Job consumption starts only after this reader has caught up.
 */
@Component
class CancellationListener implements SmartLifecycle {

    /** Starts before the job consumer. */
    static final int PHASE = Integer.MAX_VALUE - 200;

    private static final Logger log = LoggerFactory.getLogger(CancellationListener.class);

    private final KafkaProperties kafka;
    private final Cancellations cancellations;
    private final WorkerProperties properties;
    private final Clock clock;
    private final Readers readers;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    /** Where reading goes on when the reader is started again after a failure. */
    private final Map<TopicPartition, Long> positions = new HashMap<>();

    private volatile boolean running;
    private @Nullable Reader reader;

    CancellationListener(
            KafkaProperties kafka,
            Cancellations cancellations,
            WorkerProperties properties,
            Clock clock,
            Readers readers) {
        this.kafka = kafka;
        this.cancellations = cancellations;
        this.properties = properties;
        this.clock = clock;
        this.readers = readers;
    }

    @Override
    public void start() {
        running = true;
        reader = readers.start("flowgate-worker-cancellations", this::loop);
    }

    /** Waits until the cancel requests of the remembered window have been read. */
    boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void loop(Reader reader) {
        Map<String, Object> config = kafka.buildConsumerProperties();
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "flowgate-worker-cancellations-" + System.identityHashCode(this));
        KafkaConsumer<String, JobCancelRequested> consumer = new KafkaConsumer<>(
                config,
                new StringDeserializer(),
                Topics.JOB_CONTROL.valueSerde().deserializer());
        reader.attach(consumer);
        SkippedRecords skipped = readers.skipped(reader.name());
        try {
            Map<TopicPartition, Long> end = assignFromWindow(consumer);
            while (!reader.isStopping()) {
                for (ConsumerRecord<String, JobCancelRequested> record :
                        skipped.poll(consumer, Duration.ofMillis(500))) {
                    skipped.process(record, r -> {
                        if (r.value() != null) {
                            cancellations.cancelled(r.value().jobId());
                        }
                    });
                }
                consumer.assignment().forEach(p -> positions.put(p, consumer.position(p)));
                reader.up();
                if (caughtUp.getCount() > 0
                        && end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    log.info("Read the cancel requests of the last {}", properties.cancelMemory());
                    caughtUp.countDown();
                }
            }
        } catch (WakeupException e) {
            if (!reader.isStopping()) {
                throw e;
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Assigns every partition, from the start of the window or from where the last life ended. */
    private Map<TopicPartition, Long> assignFromWindow(KafkaConsumer<String, JobCancelRequested> consumer) {
        List<TopicPartition> partitions =
                consumer.partitionsFor(Topics.JOB_CONTROL.name(), Duration.ofSeconds(30)).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition()))
                        .toList();
        consumer.assign(partitions);
        long since = clock.instant().minus(properties.cancelMemory()).toEpochMilli();
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(p -> query.put(p, since));
        Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(query);
        for (TopicPartition p : partitions) {
            OffsetAndTimestamp start = starts.get(p);
            if (positions.containsKey(p)) {
                consumer.seek(p, positions.get(p));
            } else if (start != null) {
                consumer.seek(p, start.offset());
            } else {
                consumer.seekToEnd(List.of(p));
            }
        }
        return consumer.endOffsets(partitions);
    }

    @Override
    public void stop() {
        running = false;
        if (reader != null) {
            reader.stop(Duration.ofSeconds(10));
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
