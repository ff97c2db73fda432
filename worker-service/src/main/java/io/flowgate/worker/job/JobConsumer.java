package io.flowgate.worker.job;

import io.flowgate.contracts.JobSubmitted;
import io.flowgate.contracts.Topics;
import io.flowgate.kafka.ConsumedOffsets;
import io.flowgate.kafka.Reader;
import io.flowgate.kafka.Readers;
import io.flowgate.kafka.SkippedRecords;
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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
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
 * Consumes {@code flowgate.jobs} and hands each job to the {@link JobRunner}, in a fair order.
 *
 * <p>Written on the plain Kafka consumer because jobs may run for hours and finish in any order:
 * spring-kafka's out-of-order acknowledgement pauses a partition until every record of the previous
 * poll is acknowledged, so one long job would stall its partition. Here each partition commits the
 * offset just below its oldest unfinished job ({@link ConsumedOffsets}); polling goes on while jobs
 * run (no poll-interval trips).
 *
 * <p>Jobs read wait in a {@link FairQueue}: tenants take turns, and no tenant runs more than {@code
 * tenantConcurrency} of the worker's {@code maxConcurrentJobs} at once, so a tenant's backlog never
 * delays another tenant's job by more than the wait for a free slot. Reading pauses while {@code
 * maxWaitingJobs} wait.
 *
 * <p>A record that cannot be read or taken is skipped and counted ({@link SkippedRecords}); if the
 * loop itself fails, its jobs are handed over and {@link Readers} starts it again with a new consumer.
 *
 * <p>On shutdown or when a partition is revoked, its running jobs are asked to stop without writing a
 * final status and their offsets stay uncommitted, so they run again on the worker that takes over.
 */
@Component
class JobConsumer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobConsumer.class);
    static final String READER = "flowgate-worker-jobs";

    private final KafkaProperties kafka;
    private final JobRunner runner;
    private final CancellationListener cancellationListener;
    private final WorkerProperties properties;
    private final MeterRegistry meters;
    private final TenantDirectory tenants;
    private final Readers readers;
    private final AtomicInteger waitingGauge = new AtomicInteger();
    private volatile boolean running;
    private @Nullable Reader reader;

    JobConsumer(
            KafkaProperties kafka,
            JobRunner runner,
            CancellationListener cancellationListener,
            WorkerProperties properties,
            MeterRegistry meters,
            TenantDirectory tenants,
            Readers readers) {
        this.tenants = tenants;
        this.kafka = kafka;
        this.runner = runner;
        this.cancellationListener = cancellationListener;
        this.properties = properties;
        this.meters = meters;
        this.readers = readers;
        meters.gauge("flowgate.worker.jobs.waiting", waitingGauge);
    }

    /** A job read and not yet finished. */
    private record Taken(TopicPartition partition, long offset, JobSubmitted job) {}

    private record Finished(Taken taken, JobRun run) {}

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
        running = true;
        reader = readers.start(READER, reader -> new Life(reader).run());
    }

    /** One life of the consumer loop: its own Kafka consumer, offsets, queue and running jobs. */
    private final class Life {

        private final Reader reader;
        private final SkippedRecords skipped;
        private final KafkaConsumer<String, JobSubmitted> consumer;
        private final ConsumedOffsets offsets = new ConsumedOffsets();
        private final FairQueue<Taken> queue =
                new FairQueue<>(properties.maxConcurrentJobs(), properties.tenantConcurrency());
        private final Map<TopicPartition, Set<JobRun>> runs = new HashMap<>();
        private final ConcurrentLinkedQueue<Finished> finished = new ConcurrentLinkedQueue<>();
        private final ConcurrentLinkedQueue<JobRun> lingeringEnded = new ConcurrentLinkedQueue<>();
        private final Duration lease;
        private org.apache.kafka.common.@Nullable Metric heartbeatTotal;
        private double heartbeatsSeen = -1;
        private long leaseRenewedAt = System.nanoTime();

        Life(Reader reader) {
            this.reader = reader;
            this.skipped = readers.skipped(reader.name());
            Map<String, Object> config = kafka.buildConsumerProperties();
            config.putIfAbsent(ConsumerConfig.GROUP_ID_CONFIG, "flowgate-worker");
            config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            config.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
            Object session = config.getOrDefault(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 45_000);
            this.lease = Duration.ofMillis(Long.parseLong(session.toString()) / 2);
            this.consumer = new KafkaConsumer<>(
                    config, new StringDeserializer(), Topics.JOBS.valueSerde().deserializer());
        }

        void run() {
            KafkaClientMetrics metrics = new KafkaClientMetrics(consumer);
            metrics.bindTo(meters);
            reader.attach(consumer);
            try {
                consumer.subscribe(List.of(Topics.JOBS.name()), new Rebalance());
                while (!reader.isStopping()) {
                    applyFinished();
                    offsets.commitAll(consumer);
                    startReady();
                    adjustPause();
                    for (ConsumerRecord<String, JobSubmitted> record :
                            skipped.poll(consumer, properties.pollTimeout())) {
                        if (!skipped.process(record, this::take)) {
                            offsets.finished(partitionOf(record), record.offset());
                        }
                    }
                    fenceIfLeaseLost();
                    reader.up();
                }
            } catch (WakeupException e) {
                if (!reader.isStopping()) {
                    throw e;
                }
            } finally {
                try {
                    handOver(new ArrayList<>(runs.keySet()), true);
                } catch (RuntimeException e) {
                    log.warn("Could not commit while handing the jobs over", e);
                } finally {
                    waitingGauge.set(0);
                    consumer.close(Duration.ofSeconds(10));
                    metrics.close();
                }
            }
        }

        /**
         * A worker cut off from the group coordinator (Kafka away, a network partition) keeps its
         * partitions only until its session times out; then the group gives them, and their jobs, to
         * another worker. So once no heartbeat has been answered for half the session timeout, this
         * worker stops its jobs without writing anything and starts over with a new consumer: the jobs
         * run again from their uncommitted offsets, here or elsewhere, but never on two workers at
         * once. (The client's count of answered heartbeats is the signal; a rebalance renews too.)
         */
        private void fenceIfLeaseLost() {
            double answered = heartbeatsAnswered();
            long now = System.nanoTime();
            if (answered != heartbeatsSeen) {
                heartbeatsSeen = answered;
                leaseRenewedAt = now;
            }
            if (runs.isEmpty()) {
                return;
            }
            Duration silent = Duration.ofNanos(now - leaseRenewedAt);
            if (silent.compareTo(lease) >= 0) {
                log.warn(
                        "No heartbeat answered by the group coordinator for {} (lease {}); stopping this"
                                + " worker's jobs",
                        silent,
                        lease);
                handOver(new ArrayList<>(runs.keySet()), false);
                throw new LeaseLost(silent);
            }
        }

        private double heartbeatsAnswered() {
            if (heartbeatTotal == null) {
                heartbeatTotal = consumer.metrics().entrySet().stream()
                        .filter(e -> e.getKey().name().equals("heartbeat-total")
                                && e.getKey().group().equals("consumer-coordinator-metrics"))
                        .map(Map.Entry::getValue)
                        .findFirst()
                        .orElse(null);
                if (heartbeatTotal == null) {
                    return 0;
                }
            }
            return heartbeatTotal.metricValue() instanceof Number n ? n.doubleValue() : 0;
        }

        private void take(ConsumerRecord<String, JobSubmitted> record) {
            TopicPartition partition = partitionOf(record);
            offsets.started(partition, record.offset());
            if (record.value() == null) {
                offsets.finished(partition, record.offset());
                return;
            }
            queue.add(record.value().tenantId(), new Taken(partition, record.offset(), record.value()));
        }

        /** Starts waiting jobs, fairly, while slots are free. */
        private void startReady() {
            for (Optional<Taken> next = queue.next(); next.isPresent(); next = queue.next()) {
                Taken taken = next.get();
                var holder = new CompletableFuture<JobRun>();
                Optional<JobRun> started;
                try {
                    started = runner.start(taken.job(), () -> finished.add(new Finished(taken, holder.join())));
                } catch (RuntimeException e) {
                    skipped.skipped(
                            taken.partition().topic(),
                            taken.partition().partition(),
                            taken.offset(),
                            "unprocessable",
                            e);
                    started = Optional.empty();
                }
                started.ifPresentOrElse(
                        run -> {
                            holder.complete(run);
                            runs.computeIfAbsent(taken.partition(), p -> new HashSet<>())
                                    .add(run);
                        },
                        () -> {
                            queue.finished(taken.job().tenantId());
                            offsets.finished(taken.partition(), taken.offset());
                        });
            }
            waitingGauge.set(queue.waiting());
        }

        private void applyFinished() {
            for (Finished done; (done = finished.poll()) != null; ) {
                Taken taken = done.taken();
                Set<JobRun> partitionRuns = runs.get(taken.partition());
                if (partitionRuns != null && partitionRuns.remove(done.run())) {
                    queue.finished(taken.job().tenantId());
                    offsets.finished(taken.partition(), taken.offset());
                }
            }
            for (JobRun run; (run = lingeringEnded.poll()) != null; ) {
                queue.finished(run.job().tenantId());
            }
        }

        private void adjustPause() {
            if (queue.waiting() >= properties.maxWaitingJobs()) {
                consumer.pause(consumer.assignment());
            } else if (!consumer.paused().isEmpty()) {
                consumer.resume(consumer.paused());
            }
        }

        /**
         * Stops the jobs of {@code partitions}, waits for them up to the hand-over grace, and commits
         * what finished: unfinished and waiting jobs keep their offsets uncommitted.
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
            queue.removeWaiting(taken -> partitions.contains(taken.partition()));
            if (commit) {
                try {
                    offsets.commit(consumer, partitions);
                } catch (WakeupException e) {
                    offsets.commit(consumer, partitions);
                }
            }
            offsets.forget(partitions);
            for (TopicPartition partition : partitions) {
                for (JobRun run : runs.getOrDefault(partition, Set.of())) {
                    if (run.ended().isDone()) {
                        queue.finished(run.job().tenantId());
                    } else {
                        // It ignored the stop signal: it holds its tenant's slot until it ends.
                        run.ended().thenRun(() -> lingeringEnded.add(run));
                    }
                }
                runs.remove(partition);
            }
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
                leaseRenewedAt = System.nanoTime(); // the group just confirmed this member
            }
        }
    }

    /** This worker may have lost its partitions to another worker: its reader starts over. */
    static final class LeaseLost extends IllegalStateException {
        LeaseLost(Duration silent) {
            super("no heartbeat answered by the group coordinator for " + silent);
        }
    }

    private static TopicPartition partitionOf(ConsumerRecord<?, ?> record) {
        return new TopicPartition(record.topic(), record.partition());
    }

    @Override
    public void stop() {
        running = false;
        if (reader != null) {
            reader.stop(properties.handoverGrace().plusSeconds(15));
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
