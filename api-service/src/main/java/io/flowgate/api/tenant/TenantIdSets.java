package io.flowgate.api.tenant;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sets of ids per tenant, for quotas counted in things (jobs in flight, active subscriptions). A
 * request reserves its id before it writes, so concurrent requests cannot overrun a limit; the views
 * then keep the sets true as they apply records. Sets rather than counters, so that seeing an id
 * twice counts it once.
 */
public final class TenantIdSets {

    private final Map<String, Set<String>> byTenant = new ConcurrentHashMap<>();

    /** Reserves {@code id}; false when the tenant already holds {@code limit} other ids. */
    public boolean tryReserve(String tenantId, String id, int limit) {
        boolean[] reserved = {false};
        byTenant.compute(tenantId, (tenant, ids) -> {
            Set<String> set = ids != null ? ids : ConcurrentHashMap.newKeySet();
            if (set.contains(id) || set.size() < limit) {
                set.add(id);
                reserved[0] = true;
            }
            return set.isEmpty() ? null : set;
        });
        return reserved[0];
    }

    /** Adds {@code id} whatever the limit (a view saw it). */
    public void add(String tenantId, String id) {
        byTenant.compute(tenantId, (tenant, ids) -> {
            Set<String> set = ids != null ? ids : ConcurrentHashMap.newKeySet();
            set.add(id);
            return set;
        });
    }

    /** Removes {@code id}. */
    public void remove(String tenantId, String id) {
        byTenant.computeIfPresent(tenantId, (tenant, ids) -> {
            ids.remove(id);
            return ids.isEmpty() ? null : ids;
        });
    }

    /** How many ids the tenant holds. */
    public int count(String tenantId) {
        Set<String> ids = byTenant.get(tenantId);
        return ids == null ? 0 : ids.size();
    }

    /** A copy of the tenant's ids. */
    public Set<String> of(String tenantId) {
        Set<String> ids = byTenant.get(tenantId);
        return ids == null ? Set.of() : Set.copyOf(ids);
    }
}
