package io.flowgate.tenancy;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Per-tenant meters with a bounded {@code tenant} tag ({@link BoundedTenantTag}; docs/operations.md,
 * "Dashboards"). Each service imports it ({@code @Import(TenantMetricsConfig.class)}).
 */
@Configuration(proxyBeanMethods = false)
public class TenantMetricsConfig {

    @Bean
    BoundedTenantTag boundedTenantTag(@Value("${flowgate.metrics.tenant-limit:200}") int limit) {
        return new BoundedTenantTag(limit);
    }
}
