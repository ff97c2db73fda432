package io.flowgate.worker.job;

import io.flowgate.contracts.JobStatus;
import io.flowgate.contracts.JobSubmitted;
import io.flowgate.worker.operation.JobContext;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/** One job running on its own virtual thread: its stop signal, progress and end. */
final class JobRun implements JobContext {

    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private final JobSubmitted job;
    private final StatusWriter writer;
    private final Clock clock;
    private final Duration progressInterval;
    private final AtomicReference<@Nullable StopReason> stop = new AtomicReference<>();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private volatile @Nullable Thread thread;
    private volatile JobStatus current;
    private Instant lastProgress = Instant.EPOCH;

    JobRun(JobSubmitted job, StatusWriter writer, Clock clock, Duration progressInterval) {
        this.job = job;
        this.writer = writer;
        this.clock = clock;
        this.progressInterval = progressInterval;
        this.current = JobStatus.accepted(job);
    }

    JobSubmitted job() {
        return job;
    }

    void runOn(Thread thread) {
        this.thread = thread;
    }

    /** CPU time the job's thread has used so far (0 when it is not known). */
    long cpuTimeNanos() {
        Thread t = thread;
        if (t == null || !CPU.isThreadCpuTimeSupported()) {
            return 0;
        }
        return Math.max(0, CPU.getThreadCpuTime(t.threadId()));
    }

    /** Asks the job to stop; the first reason given wins, except that a hand-over overrides all. */
    void stop(StopReason reason) {
        if (reason == StopReason.HANDED_OVER) {
            stop.set(reason);
        } else {
            stop.compareAndSet(null, reason);
        }
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    @Nullable
    StopReason stopReason() {
        return stop.get();
    }

    boolean isHandedOver() {
        return stop.get() == StopReason.HANDED_OVER;
    }

    /** Completes when the job's thread is done with it, whatever the outcome. */
    CompletableFuture<Void> ended() {
        return ended;
    }

    void markEnded() {
        ended.complete(null);
    }

    JobStatus current() {
        return current;
    }

    void current(JobStatus status) {
        this.current = status;
    }

    @Override
    public String jobId() {
        return job.jobId();
    }

    @Override
    public String tenantId() {
        return job.tenantId();
    }

    @Override
    public void progress(int percent, @Nullable String message) {
        Instant now = clock.instant();
        if (Duration.between(lastProgress, now).compareTo(progressInterval) < 0 || stop.get() != null) {
            return;
        }
        lastProgress = now;
        current = current.withProgress(Math.clamp(percent, 0, 100), message, now);
        writer.writeProgress(current);
    }

    @Override
    public boolean isStopRequested() {
        return stop.get() != null;
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        if (isStopRequested()) {
            throw new InterruptedException("the job was asked to stop");
        }
        Thread.sleep(duration);
    }
}
