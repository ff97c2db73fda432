package io.flowgate.api.job;

import io.flowgate.contracts.JobStatus;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The jobs of each tenant that are accepted and not finished, for the jobs-in-flight quota.
 *
 * <p>A submit reserves its job id before the job is written, so concurrent submits cannot overrun the
 * quota; the status view then keeps the sets true: a job it holds unfinished is in flight, a
 * finished or removed job is not (also after a restart, when the view reports what it restored).
 * Sets of ids rather than counters, so that seeing a job twice counts it once.
 */
@Component
class InFlightJobs {

    private final Map<String, Set<String>> byTenant = new ConcurrentHashMap<>();

    /** Reserves a place for {@code jobId}; false when the tenant already has {@code limit} jobs in flight. */
    boolean tryReserve(String tenantId, String jobId, int limit) {
        boolean[] reserved = {false};
        byTenant.compute(tenantId, (tenant, jobs) -> {
            Set<String> set = jobs != null ? jobs : ConcurrentHashMap.newKeySet();
            if (set.contains(jobId) || set.size() < limit) {
                set.add(jobId);
                reserved[0] = true;
            }
            return set.isEmpty() ? null : set;
        });
        return reserved[0];
    }

    /** Gives back a reservation whose job was not written. */
    void release(String tenantId, String jobId) {
        byTenant.computeIfPresent(tenantId, (tenant, jobs) -> {
            jobs.remove(jobId);
            return jobs.isEmpty() ? null : jobs;
        });
    }

    /** The status view holds {@code status}. */
    void observed(JobStatus status) {
        if (status.state().isTerminal()) {
            release(status.tenantId(), status.jobId());
        } else {
            byTenant.compute(status.tenantId(), (tenant, jobs) -> {
                Set<String> set = jobs != null ? jobs : ConcurrentHashMap.newKeySet();
                set.add(status.jobId());
                return set;
            });
        }
    }

    /** The tenant's jobs in flight. */
    int count(String tenantId) {
        Set<String> jobs = byTenant.get(tenantId);
        return jobs == null ? 0 : jobs.size();
    }
}
