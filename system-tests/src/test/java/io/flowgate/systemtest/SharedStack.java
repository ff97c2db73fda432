package io.flowgate.systemtest;

import io.flowgate.devstack.LocalStack;
import java.util.Map;

/**
 * One local stack for the whole test JVM (real broker, real issuer, real services on free ports),
 * started on first use and stopped when the JVM exits.
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
                            "logging.level.org.apache.kafka", "WARN"));
            Runtime.getRuntime().addShutdownHook(new Thread(stack::close));
        }
        return stack;
    }
}
