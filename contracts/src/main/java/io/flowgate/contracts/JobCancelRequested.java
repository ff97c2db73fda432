package io.flowgate.contracts;

import java.time.Instant;

/**
 * A tenant asked to cancel a job.
 *
 * @param tenantId the job's tenant
 * @param jobId the job
 * @param requestedAt when the API took the request
 */
public record JobCancelRequested(String tenantId, String jobId, Instant requestedAt) {}
