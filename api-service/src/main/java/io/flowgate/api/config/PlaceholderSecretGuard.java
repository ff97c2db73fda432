package io.flowgate.api.config;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;
import org.springframework.stereotype.Component;

/**
 * Refuses to start with the placeholder id secret outside the {@code local} profile: with a known
 * secret, anyone could compute the job id another tenant's Idempotency-Key maps to. The local stack
 * ({@code ./run-local.sh}, the tests, the benchmark) runs with the {@code local} profile.
 */
@Component
class PlaceholderSecretGuard implements InitializingBean {

    /** The default of {@code flowgate.api.id-secret}, fit for the local stack only. */
    static final String PLACEHOLDER = "change-me-flowgate-local-id-secret";

    private final ApiProperties properties;
    private final Environment environment;

    PlaceholderSecretGuard(ApiProperties properties, Environment environment) {
        this.properties = properties;
        this.environment = environment;
    }

    @Override
    public void afterPropertiesSet() {
        if (PLACEHOLDER.equals(properties.idSecret()) && !environment.acceptsProfiles(Profiles.of("local"))) {
            throw new IllegalStateException("flowgate.api.id-secret is the local placeholder: set a long random"
                    + " secret (32 characters or more) outside the local profile");
        }
    }
}
