package io.flowgate.worker.job;

import io.flowgate.contracts.JobSubmitted;
import io.flowgate.contracts.Topics;
import io.flowgate.tenancy.ConsumedOffsets;
import io.flowgate.tenancy.TenantDirectory;
import io.flowgate.worker.config.WorkerProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Consumes {@code flowgate.jobs} and hands each job to the {@link JobRunner}.
 *
 * <p>Written on the plain Kafka consumer because jobs may run for hours and finish in any order:
 * spring-kafka's out-of-order acknowledgement pauses a partition until every record of the previous
 * poll is acknowledged, so one long job would stall its partition. Here each partition commits the
 * offset just below its oldest unfinished job ({@link ConsumedOffsets}); polling goes on while jobs
 * run (no poll-interval trips), and pauses only when {@code maxConcurrentJobs} are running.
 *
 * <p>On shutdown or when a partition is revoked, its running jobs are asked to stop without writing a
 * final status and their offsets stay uncommitted, so they run again on the worker that takes over.
 */
@Component
class JobConsumer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobConsumer.class);

    private final KafkaProperties kafka;
    private final JobRunner runner;
    private final CancellationListener cancellationListener;
    private final WorkerProperties properties;
    private final MeterRegistry meters;
    private final TenantDirectory tenants;
    private final ConcurrentLinkedQueue<Finished> finished = new ConcurrentLinkedQueue<>();
    private final ConsumedOffsets offsets = new ConsumedOffsets();
    private final Map<TopicPartition, Set<JobRun>> runs = new HashMap<>();
    private volatile boolean running;
    private KafkaConsumer<String, JobSubmitted> consumer;
    private Thread thread;
    private KafkaClientMetrics metrics;

    JobConsumer(
            KafkaProperties kafka,
            JobRunner runner,
            CancellationListener cancellationListener,
            WorkerProperties properties,
            MeterRegistry meters,
            TenantDirectory tenants) {
        this.tenants = tenants;
        this.kafka = kafka;
        this.runner = runner;
        this.cancellationListener = cancellationListener;
        this.properties = properties;
        this.meters = meters;
    }

    private record Finished(TopicPartition partition, long offset, JobRun run) {}

    @Override
    public void start() {
        try {
            if (!cancellationListener.awaitCaughtUp(properties.catchUpTimeout())) {
                log.warn("Cancel requests not read within {}; taking jobs anyway", properties.catchUpTimeout());
            }
            // Offboarded tenants' jobs are dropped, so know them before taking any job.
            if (!tenants.awaitCaughtUp(properties.catchUpTimeout())) {
                log.warn("Tenant registry not read within {}; taking jobs anyway", properties.catchUpTimeout());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Map<String, Object> config = kafka.buildConsumerProperties();
        config.putIfAbsent(ConsumerConfig.GROUP_ID_CONFIG, "flowgate-worker");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
        consumer = new KafkaConsumer<>(
                config, new StringDeserializer(), Topics.JOBS.valueSerde().deserializer());
        metrics = new KafkaClientMetrics(consumer);
        metrics.bindTo(meters);
        running = true;
        thread = Thread.ofPlatform().name("job-consumer").start(this::loop);
    }

    private void loop() {
        consumer.subscribe(List.of(Topics.JOBS.name()), new Rebalance());
        try {
            while (running) {
                applyFinished();
                offsets.commitAll(consumer);
                adjustPause();
                try {
                    for (ConsumerRecord<String, JobSubmitted> record : consumer.poll(properties.pollTimeout())) {
                        dispatch(record);
                    }
                } catch (RecordDeserializationException e) {
                    log.error("Skipping unreadable record at {} offset {}", e.topicPartition(), e.offset(), e);
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                }
            }
        } catch (WakeupException e) {
            // stopping
        } catch (RuntimeException e) {
            log.error("The job consumer stopped unexpectedly", e);
        } finally {
            handOver(new ArrayList<>(runs.keySet()), true);
            consumer.close(Duration.ofSeconds(10));
            metrics.close();
        }
    }

    private void dispatch(ConsumerRecord<String, JobSubmitted> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        offsets.started(partition, record.offset());
        if (record.value() == null) {
            offsets.finished(partition, record.offset());
            return;
        }
        var holder = new CompletableFuture<JobRun>();
        runner.start(record.value(), () -> finished.add(new Finished(partition, record.offset(), holder.join())))
                .ifPresentOrElse(
                        run -> {
                            holder.complete(run);
                            runs.computeIfAbsent(partition, p -> new HashSet<>())
                                    .add(run);
                        },
                        () -> offsets.finished(partition, record.offset()));
    }

    private void applyFinished() {
        Finished done;
        while ((done = finished.poll()) != null) {
            offsets.finished(done.partition(), done.offset());
            Set<JobRun> partitionRuns = runs.get(done.partition());
            if (partitionRuns != null) {
                partitionRuns.remove(done.run());
            }
        }
    }

    private void adjustPause() {
        int inFlight = runs.values().stream().mapToInt(Set::size).sum();
        if (inFlight >= properties.maxConcurrentJobs()) {
            consumer.pause(consumer.assignment());
        } else if (!consumer.paused().isEmpty()) {
            consumer.resume(consumer.paused());
        }
    }

    /**
     * Stops the jobs of {@code partitions}, waits for them up to the hand-over grace, and commits what
     * finished: unfinished jobs keep their offsets uncommitted.
     */
    private void handOver(Collection<TopicPartition> partitions, boolean commit) {
        List<JobRun> stopping = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            stopping.addAll(runs.getOrDefault(partition, Set.of()));
        }
        stopping.forEach(run -> run.stop(StopReason.HANDED_OVER));
        try {
            CompletableFuture.allOf(stopping.stream().map(JobRun::ended).toArray(CompletableFuture[]::new))
                    .get(properties.handoverGrace().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn(
                    "Some handlers ignored the stop signal for {}; handing their partitions over anyway",
                    properties.handoverGrace());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("Error while stopping jobs", e);
        }
        applyFinished();
        if (commit) {
            try {
                offsets.commit(consumer, partitions);
            } catch (WakeupException e) {
                offsets.commit(consumer, partitions);
            }
        }
        offsets.forget(partitions);
        partitions.forEach(runs::remove);
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                log.info("Partitions revoked: {}", partitions);
                handOver(partitions, true);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            log.warn("Partitions lost: {}", partitions);
            handOver(partitions, false);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            log.info("Partitions assigned: {}", partitions);
        }
    }

    @Override
    public void stop() {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(properties.handoverGrace().plusSeconds(15));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return CancellationListener.PHASE + 100;
    }
}
