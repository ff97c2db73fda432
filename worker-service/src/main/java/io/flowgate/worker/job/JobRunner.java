package io.flowgate.worker.job;

import io.flowgate.contracts.JobError;
import io.flowgate.contracts.JobState;
import io.flowgate.contracts.JobStatus;
import io.flowgate.contracts.JobSubmitted;
import io.flowgate.kafka.DurableWrites;
import io.flowgate.tenancy.TenantDirectory;
import io.flowgate.worker.config.WorkerProperties;
import io.flowgate.worker.operation.InvalidOperationInput;
import io.flowgate.worker.operation.OperationHandler;
import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Runs each job on its own platform thread, so a job of an hour blocks nothing else and a job that
 * computes hard is time-sliced by the operating system rather than holding one of the few carriers a
 * virtual thread runs on. A job id runs at most once at a time in this worker (duplicates of a running
 * job are skipped), and the final status is written durably before the job counts as finished.
 *
 * <p>Limits: a job is stopped at its deadline, and when its thread has used {@code maxCpuTime} of
 * CPU; its result may not be larger than {@code maxResultSize} nor deeper than {@code
 * maxResultDepth}. A final status Kafka can never take (too large, not serializable) is replaced by a
 * {@code result-unwritable} failure rather than retried for ever.
 */
@Component
class JobRunner {

    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);
    private static final String PROBLEM = "urn:flowgate:problem:";
    private static final ContextSnapshotFactory CONTEXT =
            ContextSnapshotFactory.builder().build();

    private final Map<String, OperationHandler> handlers;
    private final ConcurrentMap<String, JobRun> running = new ConcurrentHashMap<>();
    private final Cancellations cancellations;
    private final StatusWriter writer;
    private final Clock clock;
    private final WorkerProperties properties;
    private final MeterRegistry meters;
    private final TenantDirectory tenants;
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("job-deadlines").daemon().factory());

    JobRunner(
            List<OperationHandler> handlers,
            Cancellations cancellations,
            StatusWriter writer,
            Clock clock,
            WorkerProperties properties,
            MeterRegistry meters,
            TenantDirectory tenants) {
        this.tenants = tenants;
        this.handlers =
                handlers.stream().collect(Collectors.toMap(h -> h.descriptor().name(), Function.identity()));
        this.cancellations = cancellations;
        this.writer = writer;
        this.clock = clock;
        this.properties = properties;
        this.meters = meters;
        cancellations.onCancel(jobId -> {
            JobRun run = running.get(jobId);
            if (run != null) {
                run.stop(StopReason.CANCELLED);
            }
        });
        meters.gauge("flowgate.worker.jobs.running", running, Map::size);
        long every = Math.max(50, Math.min(1000, properties.maxCpuTime().toMillis() / 10));
        deadlines.scheduleWithFixedDelay(this::enforceCpuLimit, every, every, TimeUnit.MILLISECONDS);
    }

    /** Stops every job whose thread has used more CPU time than a job may. */
    private void enforceCpuLimit() {
        long limit = properties.maxCpuTime().toNanos();
        for (JobRun run : running.values()) {
            long used = run.cpuTimeNanos();
            if (used > limit && run.stopReason() == null) {
                log.info("Job {} used {} ms of CPU; stopping it", run.jobId(), used / 1_000_000);
                run.stop(StopReason.CPU_LIMIT);
            }
        }
    }

    /**
     * Starts {@code job} unless it is already running here.
     *
     * @param onFinished called once the job's final status is durable (not when it is handed over)
     * @return the run, or empty when the job was already running (the caller treats it as finished)
     */
    Optional<JobRun> start(JobSubmitted job, Runnable onFinished) {
        JobRun run = new JobRun(job, writer, clock, properties.progressInterval());
        if (running.putIfAbsent(job.jobId(), run) != null) {
            log.info("Job {} is already running here; skipping the duplicate", job.jobId());
            return Optional.empty();
        }
        // The job's thread continues the caller's context: the trace of the job's record, so its
        // status and callback records carry that trace on to the API and the dispatcher.
        Runnable work = CONTEXT.captureAll().wrap(() -> execute(run, onFinished));
        run.runOn(Thread.ofPlatform().name("job-" + job.jobId()).daemon().start(work));
        return Optional.of(run);
    }

    private void execute(JobRun run, Runnable onFinished) {
        JobSubmitted job = run.job();
        job.correlation().forEach(MDC::put);
        MDC.put("jobId", job.jobId());
        MDC.put("tenantId", job.tenantId());
        if (job.subscriptionId() != null) {
            MDC.put("subscriptionId", job.subscriptionId());
        }
        Timer.Sample sample = Timer.start(meters);
        String outcome = "handed_over";
        ScheduledFuture<?> deadline = null;
        try {
            @Nullable JobStatus end;
            if (tenants.isOffboarded(job.tenantId())) {
                // The tenant's data was purged: run nothing and report nothing for it.
                log.info("Job {} dropped: its tenant was offboarded", job.jobId());
                outcome = "dropped";
                onFinished.run();
                return;
            }
            if (cancellations.isCancelled(job.jobId())) {
                end = cancelled(run.current());
            } else if (!clock.instant().isBefore(job.deadline())) {
                end = expired(run.current());
            } else {
                long untilDeadline =
                        Duration.between(clock.instant(), job.deadline()).toMillis();
                deadline = deadlines.schedule(() -> run.stop(StopReason.EXPIRED), untilDeadline, TimeUnit.MILLISECONDS);
                end = runHandler(run);
            }
            if (end != null && tenants.isOffboarded(job.tenantId())) {
                // Offboarded while it ran: its statuses were purged; write neither status nor callback.
                log.info("Job {} dropped at its end: its tenant was offboarded", job.jobId());
                outcome = "dropped";
                onFinished.run();
            } else if (end != null) {
                Thread.interrupted();
                end = writeFinal(run, end);
                outcome = end.state().name().toLowerCase(Locale.ROOT);
                // From accepted to final status: the job end-to-end latency objective (docs/operations.md).
                meters.timer("flowgate.worker.jobs.completion", "operation", job.operation(), "outcome", outcome)
                        .record(Duration.between(job.submittedAt(), end.updatedAt()));
                log.info("Job {} ({}) ended {}", job.jobId(), job.operation(), end.state());
                onFinished.run();
            } else {
                log.info("Job {} ({}) handed over to another worker", job.jobId(), job.operation());
            }
        } catch (StatusWriter.HandedOver e) {
            log.info("Job {} handed over before its final status was written", job.jobId());
        } finally {
            if (deadline != null) {
                deadline.cancel(false);
            }
            running.remove(job.jobId(), run);
            sample.stop(meters.timer("flowgate.worker.jobs", "operation", job.operation(), "outcome", outcome));
            run.markEnded();
            MDC.clear();
        }
    }

    /**
     * Writes the final status (and callback); one that can never be written is replaced by a small
     * {@code result-unwritable} failure, so the job still ends and the caller learns why.
     */
    private JobStatus writeFinal(JobRun run, JobStatus end) {
        try {
            writer.writeFinal(run.job(), end, run::isHandedOver);
            return end;
        } catch (DurableWrites.Unwritable e) {
            JobStatus failed = run.current()
                    .ended(
                            JobState.FAILED,
                            error(
                                    "result-unwritable",
                                    "Result cannot be stored",
                                    422,
                                    "The job finished, but its outcome cannot be stored: "
                                            + (e.getCause() != null ? e.getCause() : e)
                                                    .getClass()
                                                    .getSimpleName()
                                            + "."),
                            clock.instant());
            writer.writeFinal(run.job(), failed, run::isHandedOver);
            return failed;
        }
    }

    /** Runs the handler; the final status, or null when the job was handed over. */
    private @Nullable JobStatus runHandler(JobRun run) {
        JobSubmitted job = run.job();
        OperationHandler handler = handlers.get(job.operation());
        if (handler == null) {
            return run.current()
                    .ended(
                            JobState.FAILED,
                            error(
                                    "operation-unavailable",
                                    "Operation unavailable",
                                    500,
                                    "No worker offers the operation '" + job.operation() + "' any more."),
                            clock.instant());
        }
        run.current(run.current().next(JobState.RUNNING, clock.instant()));
        writer.write(run.current(), run::isHandedOver);
        try {
            JsonNode result = handler.run(job.input(), run);
            if (run.stopReason() != null) {
                return stopped(run);
            }
            JobError tooBig =
                    ResultLimits.check(result, properties.maxResultSize().toBytes(), properties.maxResultDepth());
            return tooBig != null
                    ? run.current().ended(JobState.FAILED, tooBig, clock.instant())
                    : run.current().succeeded(result, clock.instant());
        } catch (InvalidOperationInput e) {
            if (run.stopReason() != null) {
                return stopped(run);
            }
            return run.current()
                    .ended(
                            JobState.FAILED,
                            new JobError(
                                    PROBLEM + "invalid-input",
                                    "Invalid input",
                                    400,
                                    String.valueOf(e.getMessage()),
                                    e.errors().isEmpty() ? null : e.errors()),
                            clock.instant());
        } catch (Exception | StackOverflowError e) {
            if (run.stopReason() != null) {
                return stopped(run);
            }
            log.warn("Job {} ({}) failed", job.jobId(), job.operation(), e);
            return run.current()
                    .ended(
                            JobState.FAILED,
                            error(
                                    "job-failed",
                                    "Job failed",
                                    500,
                                    "The operation failed: " + e.getClass().getSimpleName()
                                            + (e.getMessage() != null ? ": " + e.getMessage() : "")),
                            clock.instant());
        }
    }

    private @Nullable JobStatus stopped(JobRun run) {
        return switch (run.stopReason()) {
            case CANCELLED -> cancelled(run.current());
            case EXPIRED -> expired(run.current());
            case CPU_LIMIT ->
                run.current()
                        .ended(
                                JobState.FAILED,
                                error(
                                        "job-cpu-limit",
                                        "CPU time limit reached",
                                        422,
                                        "The job used more than "
                                                + properties.maxCpuTime().toSeconds()
                                                + " s of CPU time, the most a job may use."),
                                clock.instant());
            case HANDED_OVER -> null;
            case null -> throw new IllegalStateException("the job was not stopped");
        };
    }

    private JobStatus cancelled(JobStatus current) {
        return current.ended(JobState.CANCELLED, JobError.cancelled(), clock.instant());
    }

    private JobStatus expired(JobStatus current) {
        return current.ended(
                JobState.EXPIRED,
                error("job-expired", "Job expired", 409, "The job did not finish before its deadline."),
                clock.instant());
    }

    private static JobError error(String slug, String title, int status, String detail) {
        return new JobError(PROBLEM + slug, title, status, detail, null);
    }
}
