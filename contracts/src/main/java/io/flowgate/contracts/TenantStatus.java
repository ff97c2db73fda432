package io.flowgate.contracts;

/** Where a tenant stands with this connector. */
public enum TenantStatus {
    /** Calls are served. */
    ACTIVE,
    /** Calls are refused with 403 until the operator resumes the tenant; its data is kept. */
    SUSPENDED,
    /**
     * The operator removed the tenant and its data was purged. The record stays (compaction keeps the
     * latest per tenant) so every service keeps dropping late records of the tenant, and open
     * onboarding does not bring it back by itself; the operator can register it again.
     */
    OFFBOARDED
}
