package io.flowgate.api.config;

import io.flowgate.tenancy.BoundedTenantTag;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Per-tenant meters with a bounded {@code tenant} tag (docs/operations.md, "Dashboards"). */
@Configuration(proxyBeanMethods = false)
class TenantMetricsConfig {

    @Bean
    BoundedTenantTag boundedTenantTag(@Value("${flowgate.metrics.tenant-limit:200}") int limit) {
        return new BoundedTenantTag(limit);
    }
}
