package io.flowgate.contracts;

import java.time.Instant;

/**
 * A tenant's entry in the registry ({@code flowgate.tenants}, keyed by tenant id).
 *
 * @param tenantId the Entra ID tenant id
 * @param status active, suspended or offboarded
 * @param plan the plan whose quotas apply
 * @param quotas per-tenant overrides of the plan's quotas
 * @param registeredAt when the tenant was first registered
 * @param updatedAt when this entry last changed
 * @param changedBy who made the change: {@code onboarding} for open self-service registration,
 *     otherwise the operator's object id
 */
public record TenantRegistration(
        String tenantId,
        TenantStatus status,
        String plan,
        TenantQuotas quotas,
        Instant registeredAt,
        Instant updatedAt,
        String changedBy) {

    /** This entry with another status. */
    public TenantRegistration withStatus(TenantStatus next, Instant at, String by) {
        return new TenantRegistration(tenantId, next, plan, quotas, registeredAt, at, by);
    }
}
