package io.flowgate.devstack;

import io.flowgate.issuer.DemoTenants;
import io.flowgate.webhooks.SecretBox;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

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

    static Map<String, Object> api(
            String bootstrapServers,
            int port,
            int managementPort,
            int replicaPort,
            int partitions,
            String issuerBaseUrl) {
        Map<String, Object> settings = common(bootstrapServers, port, partitions);
        // Health and metrics on their own port, never on the public one.
        settings.put("management.server.port", managementPort);
        // Where the other api-service replicas read the keys this one owns.
        settings.put("flowgate.api.replica.port", replicaPort);
        settings.put("flowgate.security.authority", issuerBaseUrl);
        settings.put("flowgate.security.jwks-uri", issuerBaseUrl + "/common/discovery/v2.0/keys");
        settings.put("flowgate.security.audiences", AUDIENCE);
        settings.put("flowgate.api.public-base-url", "http://127.0.0.1:" + port);
        // The local profile supplies a development id secret; without it api-service does not start.
        settings.put("spring.profiles.active", "local");
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

    /**
     * Callback settings of api-service and callback-dispatcher: fresh keys (for a stack whose Kafka is
     * fresh too), and plain-http callbacks to 127.0.0.1 allowed, so a newcomer can watch a callback
     * arrive on their own machine. Nothing else is exempt from the production rules.
     */
    static Map<String, Object> webhooks() {
        byte[] signingKey = new byte[32];
        new SecureRandom().nextBytes(signingKey);
        return webhooks(Base64.getEncoder().encodeToString(signingKey), SecretBox.newKeyset());
    }

    /**
     * The same, with keys kept in {@code keysFile} so the services of a local stack that run as separate
     * processes, and their restarts, share them; the first service to start creates the file.
     */
    static Map<String, Object> webhooks(Path keysFile) {
        try {
            if (!Files.exists(keysFile)) {
                Files.createDirectories(keysFile.toAbsolutePath().getParent());
                Map<String, Object> fresh = webhooks();
                Properties keys = new Properties();
                keys.setProperty("signing-key", (String) fresh.get(SIGNING_SECRET));
                keys.setProperty("keyset", (String) fresh.get(KEYSET));
                Path temp = Files.createTempFile(keysFile.toAbsolutePath().getParent(), "keys", ".tmp");
                try (var out = Files.newOutputStream(temp)) {
                    keys.store(
                            out, "Flowgate local stack: webhook signing key and callback URL keyset (local use only)");
                }
                try {
                    Files.move(temp, keysFile, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException e) {
                    Files.delete(temp); // another service created it first: use theirs
                }
            }
            Properties keys = new Properties();
            try (var in = Files.newInputStream(keysFile)) {
                keys.load(in);
            }
            return webhooks(keys.getProperty("signing-key"), keys.getProperty("keyset"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final String SIGNING_SECRET = "flowgate.webhooks.signing-keys[0].secret";
    private static final String KEYSET = "flowgate.webhooks.callback-url-keyset";

    private static Map<String, Object> webhooks(String signingKey, String keyset) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("flowgate.webhooks.signing-keys[0].id", "local");
        settings.put(SIGNING_SECRET, signingKey);
        settings.put(KEYSET, keyset);
        settings.put("flowgate.webhooks.allow-http", true);
        settings.put("flowgate.webhooks.allowed-hosts", "127.0.0.1");
        settings.put("flowgate.webhooks.allowed-addresses", "127.0.0.1/32");
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
