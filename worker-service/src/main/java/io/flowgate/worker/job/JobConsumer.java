package io.flowgate.worker.job;

import io.flowgate.contracts.JobSubmitted;
import io.flowgate.contracts.Topics;
import io.flowgate.kafka.Readers;
import io.flowgate.kafka.WorkLoop;
import io.flowgate.kafka.WorkLoop.Ticket;
import io.flowgate.tenancy.TenantDirectory;
import io.flowgate.worker.config.WorkerProperties;
import io.micrometer.core.instrument.MeterRegistry;
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
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Consumes {@code flowgate.jobs} through the shared {@link WorkLoop} (out-of-order commits: each
 * partition commits the offset just below its oldest unfinished job, so jobs may run for hours and
 * finish in any order) and hands each job to the {@link JobRunner}, in a fair order.
 *
 * <p>Jobs read wait in a {@link FairQueue}: tenants take turns, and no tenant runs more than {@code
 * tenantConcurrency} of the worker's {@code maxConcurrentJobs} at once, so a tenant's backlog never
 * delays another tenant's job by more than the wait for a free slot. Reading pauses while {@code
 * maxWaitingJobs} wait.
 *
 * <p>On shutdown or when a partition is revoked, its running jobs are asked to stop without writing a
 * final status and their offsets stay uncommitted, so they run again on the worker that takes over.
 */
@Component
class JobConsumer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobConsumer.class);
    static final String READER = "flowgate-worker-jobs";

    private final JobRunner runner;
    private final CancellationListener cancellationListener;
    private final WorkerProperties properties;
    private final TenantDirectory tenants;
    private final AtomicInteger waitingGauge = new AtomicInteger();
    private final WorkLoop<JobSubmitted> loop;
    private volatile boolean running;

    JobConsumer(
            KafkaProperties kafka,
            JobRunner runner,
            CancellationListener cancellationListener,
            WorkerProperties properties,
            MeterRegistry meters,
            TenantDirectory tenants,
            Readers readers) {
        this.tenants = tenants;
        this.runner = runner;
        this.cancellationListener = cancellationListener;
        this.properties = properties;
        meters.gauge("flowgate.worker.jobs.waiting", waitingGauge);
        Map<String, Object> config = kafka.buildConsumerProperties();
        config.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
        Object session = config.getOrDefault(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 45_000);
        Duration lease = Duration.ofMillis(Long.parseLong(session.toString()) / 2);
        this.loop = new WorkLoop<>(
                READER,
                config,
                "flowgate-worker",
                List.of(Topics.JOBS.name()),
                () -> Topics.JOBS.valueSerde().deserializer(),
                () -> new Jobs(lease),
                readers,
                meters);
    }

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
        loop.start();
    }

    /** A job read and not yet finished. */
    private record Taken(Ticket ticket, JobSubmitted job) {}

    private record Finished(Taken taken, JobRun run) {}

    /** The jobs of one life of the loop: its queue and running jobs. */
    private final class Jobs implements WorkLoop.Work<JobSubmitted> {

        private final FairQueue<Taken> queue =
                new FairQueue<>(properties.maxConcurrentJobs(), properties.tenantConcurrency());
        private final Map<TopicPartition, Set<JobRun>> runs = new HashMap<>();
        private final ConcurrentLinkedQueue<Finished> finished = new ConcurrentLinkedQueue<>();
        private final ConcurrentLinkedQueue<JobRun> lingeringEnded = new ConcurrentLinkedQueue<>();
        private final Duration lease;
        private @Nullable Metric heartbeatTotal;
        private double heartbeatsSeen = -1;
        private long leaseRenewedAt = System.nanoTime();

        Jobs(Duration lease) {
            this.lease = lease;
        }

        @Override
        public boolean take(ConsumerRecord<String, JobSubmitted> record, Ticket ticket) {
            queue.add(record.value().tenantId(), new Taken(ticket, record.value()));
            return true;
        }

        @Override
        public void beforePoll(Consumer<String, JobSubmitted> consumer) {
            applyFinished();
            startReady();
            if (queue.waiting() >= properties.maxWaitingJobs()) {
                consumer.pause(consumer.assignment());
            } else if (!consumer.paused().isEmpty()) {
                consumer.resume(consumer.paused());
            }
        }

        @Override
        public Duration pollTimeout() {
            return properties.pollTimeout();
        }

        /**
         * A worker cut off from the group coordinator (Kafka away, a network partition) keeps its
         * partitions only until its session times out; then the group gives them, and their jobs, to
         * another worker. So once no heartbeat has been answered for half the session timeout, this
         * worker stops its jobs without writing anything and starts over with a new consumer: the jobs
         * run again from their uncommitted offsets, here or elsewhere, but never on two workers at
         * once. (The client's count of answered heartbeats is the signal; a rebalance renews too.)
         */
        @Override
        public void afterPoll(Consumer<String, JobSubmitted> consumer) {
            double answered = heartbeatsAnswered(consumer);
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
                stop(new ArrayList<>(runs.keySet()));
                throw new LeaseLost(silent);
            }
        }

        private double heartbeatsAnswered(Consumer<String, JobSubmitted> consumer) {
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

        /** Starts waiting jobs, fairly, while slots are free. */
        private void startReady() {
            for (Optional<Taken> next = queue.next(); next.isPresent(); next = queue.next()) {
                Taken taken = next.get();
                var holder = new CompletableFuture<JobRun>();
                Optional<JobRun> started;
                try {
                    started = taken.ticket()
                            .inScope(() -> runner.start(taken.job(), () -> {
                                finished.add(new Finished(taken, holder.join()));
                                // Its slot is free now, not when the poll times out.
                                loop.wakeUp();
                            }));
                } catch (RuntimeException e) {
                    taken.ticket().skip(e);
                    queue.finished(taken.job().tenantId());
                    continue;
                }
                started.ifPresentOrElse(
                        run -> {
                            holder.complete(run);
                            runs.computeIfAbsent(taken.ticket().partition(), p -> new HashSet<>())
                                    .add(run);
                        },
                        () -> {
                            queue.finished(taken.job().tenantId());
                            taken.ticket().done();
                        });
            }
            waitingGauge.set(queue.waiting());
        }

        private void applyFinished() {
            for (Finished done; (done = finished.poll()) != null; ) {
                Taken taken = done.taken();
                Set<JobRun> partitionRuns = runs.get(taken.ticket().partition());
                if (partitionRuns != null && partitionRuns.remove(done.run())) {
                    queue.finished(taken.job().tenantId());
                    taken.ticket().done();
                }
            }
            for (JobRun run; (run = lingeringEnded.poll()) != null; ) {
                queue.finished(run.job().tenantId());
            }
        }

        @Override
        public void revoking(Collection<TopicPartition> partitions) {
            stop(partitions);
        }

        @Override
        public void lost(Collection<TopicPartition> partitions) {
            stop(partitions);
        }

        @Override
        public void assigned(Collection<TopicPartition> partitions) {
            leaseRenewedAt = System.nanoTime(); // the group just confirmed this member
        }

        /**
         * Stops the jobs of {@code partitions} and waits for them up to the hand-over grace: jobs that
         * finished meanwhile are done, unfinished and waiting jobs are left to the next owner.
         */
        private void stop(Collection<TopicPartition> partitions) {
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
            queue.removeWaiting(taken -> partitions.contains(taken.ticket().partition()));
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
            waitingGauge.set(queue.waiting());
        }
    }

    /** This worker may have lost its partitions to another worker: its reader starts over. */
    static final class LeaseLost extends IllegalStateException {
        LeaseLost(Duration silent) {
            super("no heartbeat answered by the group coordinator for " + silent);
        }
    }

    @Override
    public void stop() {
        running = false;
        loop.stop(properties.handoverGrace().plusSeconds(15));
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
