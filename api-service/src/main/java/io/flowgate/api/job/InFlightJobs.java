package io.flowgate.api.job;

import io.flowgate.api.replica.StoreRoutes;
import io.flowgate.api.tenant.TenantIdSets;
import io.flowgate.contracts.JobStatus;
import org.springframework.stereotype.Component;

/**
 * The jobs of each tenant that are accepted and not finished, for the jobs-in-flight quota.
 *
 * <p>A submit reserves its job id before the job is written; the status view then keeps the sets
 * true: a job it holds unfinished is in flight, a finished or removed job is not (also after a
 * restart, when the view reports what it restored, and when a partition moves away).
 *
 * <p>With several api-service replicas each counts the jobs in the status partitions it owns, and
 * allows a tenant its partitions' share of the limit (job ids are random, so a tenant's jobs spread
 * evenly over the partitions): a reservation for a job another replica owns is given back once the
 * job is written, since that replica counts it from then on. docs/architecture.md states the
 * accuracy this gives.
 */
@Component
class InFlightJobs {

    private final TenantIdSets jobs = new TenantIdSets();
    private final StoreRoutes routes;

    InFlightJobs(StoreRoutes routes) {
        this.routes = routes;
    }

    /**
     * Reserves a place for {@code jobId}; false when the tenant already has its limit of jobs in
     * flight (this replica's share of {@code limit}).
     */
    boolean tryReserve(String tenantId, String jobId, int limit) {
        return jobs.tryReserve(tenantId, jobId, shareOf(limit));
    }

    /** This replica's share of a tenant's limit: the limit itself with one replica. */
    int shareOf(int limit) {
        double share = routes.share(JobStatusTopology.STORE);
        return share >= 1 ? limit : Math.max(1, (int) Math.ceil(limit * share));
    }

    /** The job was written: if another replica owns it, that replica counts it from now on. */
    void written(String tenantId, String jobId) {
        if (routes.route(JobStatusTopology.STORE, jobId) instanceof StoreRoutes.Remote) {
            jobs.remove(tenantId, jobId);
        }
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
