package io.flowgate.api.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;

class TenantPropertiesTests {

    private static TenantProperties bind(Map<String, String> settings) {
        return new Binder(new MapConfigurationPropertySource(settings))
                .bindOrCreate("flowgate.tenants", TenantProperties.class);
    }

    @Test
    void withoutPlansThereIsOneStandardPlanWithTheDefaultQuotas() {
        TenantProperties.Plan standard = bind(Map.of()).plan("standard");
        assertThat(standard)
                .isEqualTo(new TenantProperties.Plan(20, 40, 200, 100, DataSize.ofMegabytes(1)))
                .isEqualTo(TenantProperties.Plan.defaults());
    }

    @Test
    void aConfiguredPlanTakesTheDefaultsForWhatItLeavesOut() {
        TenantProperties tenants = bind(Map.of(
                "flowgate.tenants.default-plan", "gold",
                "flowgate.tenants.plans.gold.requests-per-second", "100"));
        assertThat(tenants.plan("gold"))
                .isEqualTo(new TenantProperties.Plan(100, 40, 200, 100, DataSize.ofMegabytes(1)));
        assertThat(tenants.plan("standard")).isEqualTo(TenantProperties.Plan.defaults());
    }

    @Test
    void theDefaultPlanMustBeConfigured() {
        assertThatThrownBy(() -> bind(Map.of("flowgate.tenants.default-plan", "gold")))
                .hasRootCauseMessage(
                        "flowgate.tenants.default-plan 'gold' is not one of the configured plans [standard]");
    }

    @Test
    void theStandardPlanCanBeConfigured() {
        assertThat(bind(Map.of("flowgate.tenants.plans.standard.burst", "80")).plan("standard"))
                .isEqualTo(new TenantProperties.Plan(20, 80, 200, 100, DataSize.ofMegabytes(1)));
    }
}
