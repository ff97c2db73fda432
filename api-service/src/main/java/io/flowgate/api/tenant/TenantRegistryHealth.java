package io.flowgate.api.tenant;

import io.flowgate.tenancy.TenantDirectory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Ready only once the tenant registry has been read (part of the readiness group): before that, a
 * registered tenant would be refused as unknown.
 */
@Component("tenants")
class TenantRegistryHealth implements HealthIndicator {

    private final TenantDirectory directory;

    TenantRegistryHealth(TenantDirectory directory) {
        this.directory = directory;
    }

    @Override
    public Health health() {
        return directory.isCaughtUp()
                ? Health.up().withDetail("tenants", directory.all().size()).build()
                : Health.down()
                        .withDetail("reason", "the tenant registry is being read")
                        .build();
    }
}
