package io.flowgate.api.job;

import io.flowgate.api.tenant.TenantIdSets;
import io.flowgate.contracts.JobStatus;
import org.springframework.stereotype.Component;

/**
 * The jobs of each tenant that are accepted and not finished, for the jobs-in-flight quota.
 *
 * <p>A submit reserves its job id before the job is written; the status view then keeps the sets
 * true: a job it holds unfinished is in flight, a finished or removed job is not (also after a
 * restart, when the view reports what it restored).
 */
@Component
class InFlightJobs {

    private final TenantIdSets jobs = new TenantIdSets();

    /** Reserves a place for {@code jobId}; false when the tenant already has {@code limit} jobs in flight. */
    boolean tryReserve(String tenantId, String jobId, int limit) {
        return jobs.tryReserve(tenantId, jobId, limit);
    }

    /** Gives back a reservation whose job was not written. */
    void release(String tenantId, String jobId) {
        jobs.remove(tenantId, jobId);
    }

    /** The status view holds {@code status}. */
    void observed(JobStatus status) {
        if (status.state().isTerminal()) {
            jobs.remove(status.tenantId(), status.jobId());
        } else {
            jobs.add(status.tenantId(), status.jobId());
        }
    }

    /** The tenant's jobs in flight. */
    int count(String tenantId) {
        return jobs.count(tenantId);
    }
}
