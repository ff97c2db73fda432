package io.flowgate.systemtest;

import io.flowgate.devstack.LocalStack;
import io.flowgate.issuer.DemoTenants;
import java.util.Map;

/**
 * One local stack for the whole test JVM (real broker, real issuer, real services on free ports),
 * started on first use and stopped when the JVM exits. It onboards by allow-list, with the two demo
 * tenants registered through the admin API.
 */
final class SharedStack {

    /** Jobs the worker runs at once; a tenant runs at most {@link #TENANT_SLOTS} of them. */
    static final String WORKER_SLOTS = "24";

    static final String TENANT_SLOTS = "8";

    private static LocalStack stack;

    private SharedStack() {}

    static synchronized LocalStack get() {
        if (stack == null) {
            stack = LocalStack.start(
                    LocalStack.Ports.random(),
                    Map.ofEntries(
                            Map.entry("flowgate.worker.handover-grace", "5s"),
                            Map.entry("flowgate.worker.progress-interval", "200ms"),
                            Map.entry("flowgate.worker.max-concurrent-jobs", WORKER_SLOTS),
                            Map.entry("flowgate.worker.tenant-concurrency", TENANT_SLOTS),
                            Map.entry("flowgate.tenants.onboarding", "allowlist"),
                            // Callback retries in seconds rather than a day (docs/callbacks.md has the
                            // production schedule): 4 attempts, waits of 200, 400 and 800 ms.
                            Map.entry("flowgate.dispatcher.retry-schedule", "200ms,400ms,800ms"),
                            Map.entry("flowgate.dispatcher.retry-tiers", "100ms,1s"),
                            Map.entry("flowgate.dispatcher.jitter", "0.1"),
                            Map.entry("flowgate.dispatcher.max-retry-after", "5s"),
                            Map.entry("flowgate.dispatcher.connect-timeout", "1s"),
                            Map.entry("flowgate.dispatcher.response-timeout", "2s"),
                            Map.entry("flowgate.dispatcher.tenant-concurrency", "2"),
                            Map.entry("flowgate.dispatcher.tenant-queue", "4"),
                            // Polling triggers answer Retry-After: 1 rather than 30 s when nothing waits.
                            Map.entry("flowgate.triggers.poll-interval", "1s"),
                            Map.entry("logging.level.org.apache.kafka", "WARN")));
            Runtime.getRuntime().addShutdownHook(new Thread(stack::close));
            // Only registered tenants are served here: the operator registers the demo tenants.
            Admin admin = new Admin(stack);
            admin.register(DemoTenants.CONTOSO, "{\"plan\":\"local\"}");
            admin.register(DemoTenants.FABRIKAM, "{\"plan\":\"local\"}");
        }
        return stack;
    }
}
