package io.flowgate.api.tenant;

import io.flowgate.tenancy.BoundedTenantTag;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Counts the requests refused to a tenant, by reason: {@code flowgate.api.tenant.refusals} with the
 * tags {@code reason} and {@code tenant} (bounded by {@link BoundedTenantTag}), so the tenants
 * dashboard shows who is throttled and why.
 */
@Component
public class TenantRefusals {

    /** The counter's name. */
    public static final String NAME = "flowgate.api.tenant.refusals";

    /** The reasons a tenant is refused. */
    public static final List<String> REASONS = List.of(
            "rate",
            "body-size",
            "unavailable",
            "suspended",
            "offboarded",
            "unregistered",
            "jobs-in-flight",
            "subscriptions");

    private final MeterRegistry meters;

    TenantRefusals(MeterRegistry meters) {
        this.meters = meters;
        // Registered at zero so that dashboards and alerts read a zero rather than nothing.
        for (String reason : REASONS) {
            meters.counter(NAME, "reason", reason, BoundedTenantTag.TAG, BoundedTenantTag.OTHER);
        }
    }

    /** One request of {@code tenantId} refused for {@code reason}. */
    public void refused(String tenantId, String reason) {
        meters.counter(NAME, "reason", reason, BoundedTenantTag.TAG, tenantId).increment();
    }

    /**
     * One request of a tenant that is not registered refused: counted under {@code other}, so tenants
     * that are not customers never take one of the named series.
     */
    public void refusedUnregistered() {
        meters.counter(NAME, "reason", "unregistered", BoundedTenantTag.TAG, BoundedTenantTag.OTHER)
                .increment();
    }
}
