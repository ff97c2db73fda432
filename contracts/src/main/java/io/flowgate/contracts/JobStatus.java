package io.flowgate.contracts;

import java.time.Instant;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The state of a job at one moment; the latest per job id is what a poll answers.
 *
 * @param tenantId the job's tenant
 * @param jobId the job
 * @param operation the operation it runs
 * @param state lifecycle state
 * @param progress percent done, 0 to 100, when the handler reports it
 * @param message short progress message from the handler
 * @param result the operation's output once SUCCEEDED
 * @param error why it did not succeed once FAILED, CANCELLED or EXPIRED
 * @param requestHash hash of operation and input (see {@link JobSubmitted#requestHash()})
 * @param createdAt when the job was accepted
 * @param updatedAt when this state was reached
 */
public record JobStatus(
        String tenantId,
        String jobId,
        String operation,
        JobState state,
        @Nullable Integer progress,
        @Nullable String message,
        @Nullable JsonNode result,
        @Nullable JobError error,
        String requestHash,
        Instant createdAt,
        Instant updatedAt) {

    /**
     * The first status of every job. It is not written: the API's status view derives it from the job
     * record itself (one record per command, docs/decisions.md).
     */
    public static JobStatus accepted(JobSubmitted job) {
        return new JobStatus(
                job.tenantId(),
                job.jobId(),
                job.operation(),
                JobState.ACCEPTED,
                0,
                null,
                null,
                null,
                job.requestHash(),
                job.submittedAt(),
                job.submittedAt());
    }

    /** The CANCELLED status a cancel request implies. */
    public static JobStatus cancelled(JobCancelRequested request) {
        return new JobStatus(
                request.tenantId(),
                request.jobId(),
                request.operation(),
                JobState.CANCELLED,
                null,
                null,
                null,
                JobError.cancelled(),
                request.requestHash(),
                request.createdAt(),
                request.requestedAt());
    }

    /** This job in {@code state} at {@code now}: progress kept, message, result and error cleared. */
    public JobStatus next(JobState state, Instant now) {
        return new JobStatus(
                tenantId, jobId, operation, state, progress, null, null, null, requestHash, createdAt, now);
    }

    /** This status with new progress. */
    public JobStatus withProgress(int percent, @Nullable String note, Instant now) {
        return new JobStatus(
                tenantId, jobId, operation, state, percent, note, result, error, requestHash, createdAt, now);
    }

    /** SUCCEEDED with {@code output}. */
    public JobStatus succeeded(JsonNode output, Instant now) {
        return new JobStatus(
                tenantId, jobId, operation, JobState.SUCCEEDED, 100, null, output, null, requestHash, createdAt, now);
    }

    /** A terminal state other than SUCCEEDED, with its reason. */
    public JobStatus ended(JobState terminal, JobError why, Instant now) {
        return new JobStatus(
                tenantId, jobId, operation, terminal, progress, null, null, why, requestHash, createdAt, now);
    }
}
