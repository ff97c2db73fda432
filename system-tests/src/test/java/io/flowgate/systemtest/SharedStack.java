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

    private static LocalStack stack;

    private SharedStack() {}

    static synchronized LocalStack get() {
        if (stack == null) {
            stack = LocalStack.start(
                    LocalStack.Ports.random(),
                    Map.of(
                            "flowgate.worker.handover-grace", "5s",
                            "flowgate.worker.progress-interval", "200ms",
                            "flowgate.tenants.onboarding", "allowlist",
                            "logging.level.org.apache.kafka", "WARN"));
            Runtime.getRuntime().addShutdownHook(new Thread(stack::close));
            // Only registered tenants are served here: the operator registers the demo tenants.
            Admin admin = new Admin(stack);
            admin.register(DemoTenants.CONTOSO, "{\"plan\":\"local\"}");
            admin.register(DemoTenants.FABRIKAM, "{\"plan\":\"local\"}");
        }
        return stack;
    }
}
