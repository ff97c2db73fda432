package io.flowgate.contracts;

import java.time.Instant;

/**
 * A tenant asked to cancel a job. It carries what the status view needs to record the job as
 * CANCELLED from this record alone.
 *
 * @param tenantId the job's tenant
 * @param jobId the job
 * @param operation the job's operation
 * @param requestHash the job's request hash
 * @param createdAt when the job was accepted
 * @param requestedAt when the API took the request
 */
public record JobCancelRequested(
        String tenantId, String jobId, String operation, String requestHash, Instant createdAt, Instant requestedAt) {}
