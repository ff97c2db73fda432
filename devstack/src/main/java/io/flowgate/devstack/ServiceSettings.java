package io.flowgate.devstack;

import io.flowgate.issuer.DemoTenants;
import java.util.LinkedHashMap;
import java.util.Map;

/** The settings each service gets in a local stack, whether it runs in its own process or not. */
final class ServiceSettings {

    /** The audience (app id URI) the stack's tokens are issued for and api-service accepts. */
    static final String AUDIENCE = "api://flowgate";

    /** Auto-configurations the worker and dispatcher must not pick up from the shared classpath. */
    static final String NOT_FOR_BACKGROUND_SERVICES = String.join(
            ",",
            "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration",
            "org.springframework.boot.security.oauth2.server.resource.autoconfigure.reactive.ReactiveOAuth2ResourceServerAutoConfiguration");

    private ServiceSettings() {}

    static Map<String, Object> common(String bootstrapServers, int port, int partitions) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("spring.kafka.bootstrap-servers", bootstrapServers);
        settings.put("server.port", port);
        settings.put("flowgate.kafka.partitions", partitions);
        return settings;
    }

    static Map<String, Object> api(String bootstrapServers, int port, int partitions, String issuerBaseUrl) {
        Map<String, Object> settings = common(bootstrapServers, port, partitions);
        settings.put("flowgate.security.authority", issuerBaseUrl);
        settings.put("flowgate.security.jwks-uri", issuerBaseUrl + "/common/discovery/v2.0/keys");
        settings.put("flowgate.security.audiences", AUDIENCE);
        settings.put("flowgate.api.public-base-url", "http://127.0.0.1:" + port);
        // The demo operator tenant administers; any tenant of the local issuer is onboarded on its
        // first call, on a plan roomy enough for the benchmark's load.
        settings.put("flowgate.tenants.operator-tenant-id", DemoTenants.OPERATOR);
        settings.put("flowgate.tenants.onboarding", "open");
        settings.put("flowgate.tenants.default-plan", "local");
        settings.put("flowgate.tenants.plans.local.requests-per-second", 100_000);
        settings.put("flowgate.tenants.plans.local.burst", 100_000);
        settings.put("flowgate.tenants.plans.local.jobs-in-flight", 1_000_000);
        settings.put("flowgate.tenants.plans.local.subscriptions", 100_000);
        settings.put("flowgate.tenants.plans.local.max-body-size", "1MB");
        return settings;
    }

    static Map<String, Object> background(String bootstrapServers, int port, int partitions) {
        Map<String, Object> settings = common(bootstrapServers, port, partitions);
        settings.put("spring.autoconfigure.exclude", NOT_FOR_BACKGROUND_SERVICES);
        return settings;
    }

    /** As command-line arguments, which win over each service's own configuration file. */
    static String[] asArguments(Map<String, Object> settings) {
        return settings.entrySet().stream()
                .map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
    }
}
