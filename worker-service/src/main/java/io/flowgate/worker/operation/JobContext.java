package io.flowgate.worker.operation;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** What a handler may use while it runs a job: progress reporting and the cancellation signal. */
public interface JobContext {

    /** The job's id, stable across retries: a natural idempotency key for side effects. */
    String jobId();

    /** The tenant that submitted the job. */
    String tenantId();

    /** Reports progress (0 to 100) and an optional short message; cheap to call often. */
    void progress(int percent, @Nullable String message);

    /** Whether the job has been asked to stop (cancelled, expired, or handed to another worker). */
    boolean isStopRequested();

    /**
     * Waits for {@code duration} unless the job is asked to stop first.
     *
     * @throws InterruptedException when the job is asked to stop during the wait
     */
    void sleep(Duration duration) throws InterruptedException;
}
