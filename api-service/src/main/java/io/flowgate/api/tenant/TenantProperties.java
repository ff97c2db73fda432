package io.flowgate.api.tenant;

import io.flowgate.contracts.TenantQuotas;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;

/**
 * Who may use the connector and how much.
 *
 * @param onboarding {@code allowlist}: only tenants the operator registered; {@code open}: a tenant
 *     is registered with the default plan on its first call
 * @param defaultPlan the plan of tenants registered without one
 * @param plans quota plans by name
 * @param operatorTenantId the operator's own Entra ID tenant; admin calls come only from it
 * @param operatorRole the app role ({@code roles} claim) admin calls need
 */
@ConfigurationProperties("flowgate.tenants")
public record TenantProperties(
        @DefaultValue("allowlist") Onboarding onboarding,
        @DefaultValue("standard") String defaultPlan,
        Map<String, Plan> plans,
        @Nullable String operatorTenantId,
        @DefaultValue("Flowgate.Operator") String operatorRole) {

    /**
     * There is always a {@code standard} plan (the defaults of {@link Plan}, unless configured under
     * that name); the default plan must be one of the plans.
     */
    public TenantProperties {
        Map<String, Plan> all = new java.util.LinkedHashMap<>();
        all.put("standard", Plan.defaults());
        if (plans != null) {
            all.putAll(plans);
        }
        plans = Map.copyOf(all);
        if (!plans.containsKey(defaultPlan)) {
            throw new IllegalArgumentException("flowgate.tenants.default-plan '" + defaultPlan
                    + "' is not one of the configured plans " + plans.keySet());
        }
    }

    /** Onboarding policy. */
    public enum Onboarding {
        ALLOWLIST,
        OPEN
    }

    /**
     * A plan's quotas.
     *
     * @param requestsPerSecond sustained request rate on {@code /api/v1}
     * @param burst requests allowed at once above the sustained rate
     * @param jobsInFlight jobs accepted and not yet finished
     * @param subscriptions active webhook subscriptions
     * @param maxBodySize largest request body
     */
    public record Plan(
            @DefaultValue("20") int requestsPerSecond,
            @DefaultValue("40") int burst,
            @DefaultValue("200") int jobsInFlight,
            @DefaultValue("100") int subscriptions,
            @DefaultValue("1MB") DataSize maxBodySize) {

        /** A plan with every quota at its default above: the {@code standard} plan. */
        public static Plan defaults() {
            // Bound from no settings at all, so the defaults are the annotations above and nowhere else.
            return new Binder(new MapConfigurationPropertySource(Map.of())).bindOrCreate("plan", Plan.class);
        }

        TenantQuotas quotas() {
            return new TenantQuotas(requestsPerSecond, burst, jobsInFlight, subscriptions, maxBodySize.toBytes());
        }
    }

    /** The plan named {@code name}, if configured. */
    @Nullable
    Plan plan(String name) {
        return plans.get(name);
    }
}
