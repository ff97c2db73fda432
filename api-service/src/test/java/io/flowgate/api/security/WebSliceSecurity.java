package io.flowgate.api.security;

import static org.springframework.security.test.web.reactive.server.SecurityMockServerConfigurers.mockJwt;

import io.flowgate.api.config.ApiProperties;
import io.flowgate.api.problem.ProblemWriter;
import io.flowgate.api.tenant.TenantProperties;
import io.flowgate.api.tenant.TenantRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;
import org.springframework.context.annotation.Import;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.test.web.reactive.server.SecurityMockServerConfigurers.JwtMutator;

/**
 * The API's real security chain and tenant gate for the controllers' HTTP slice tests, which sign in
 * with {@link #tenant mock JWTs}: token validation itself is {@link SecurityWebTests}' subject. The
 * slice reads {@code web-slice.properties}; the test mocks {@link TenantRegistry} and calls {@link
 * #activeTenants}.
 */
@TestConfiguration
@Import({SecurityConfig.class, ProblemWriter.class})
@EnableConfigurationProperties({ApiProperties.class, SecurityProperties.class, TenantProperties.class})
@ComponentScan(
        basePackageClasses = TenantProperties.class,
        useDefaultFilters = false,
        includeFilters =
                @ComponentScan.Filter(type = FilterType.REGEX, pattern = ".*\\.(RequestRateLimiter|TenantRefusals)"))
public class WebSliceSecurity {

    @Bean
    MeterRegistry meterRegistry() {
        return new SimpleMeterRegistry();
    }

    /** A signed-in user of tenant {@code tid} with the API's delegated scope. */
    public static JwtMutator tenant(String tid) {
        return mockJwt()
                .jwt(jwt -> jwt.claim("tid", tid).claim("scp", "user_impersonation"))
                .authorities(new SimpleGrantedAuthority("SCOPE_user_impersonation"));
    }

    /** Every tenant is registered and active, with room to spare. */
    public static void activeTenants(TenantRegistry registry) {
        SecurityWebTests.activeTenants(registry);
    }
}
