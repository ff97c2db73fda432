package io.flowgate.devstack;

import io.flowgate.issuer.DemoTenants;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** {@code main} of the local stack: starts everything on the documented ports and runs until stopped. */
public final class DevStack {

    private DevStack() {}

    static void main(String[] args) throws InterruptedException {
        LocalStack stack = LocalStack.start(LocalStack.Ports.standard(), Map.of());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stack.close();
            stopped.countDown();
        }));
        System.out.printf(
                """

                Flowgate is running.
                  API            %s   (readiness: %s/actuator/health/readiness)
                  token issuer   %s   (Entra ID look-alike)
                  Kafka          %s
                  demo tenants   Contoso  %s  client %s / %s
                                 Fabrikam %s  client %s / %s
                Press Ctrl+C to stop.
                %n""",
                stack.apiUrl(),
                stack.apiUrl(),
                stack.issuer().baseUrl(),
                stack.bootstrapServers(),
                DemoTenants.CONTOSO,
                DemoTenants.CONTOSO_CLIENT.clientId(),
                DemoTenants.CONTOSO_CLIENT.clientSecret(),
                DemoTenants.FABRIKAM,
                DemoTenants.FABRIKAM_CLIENT.clientId(),
                DemoTenants.FABRIKAM_CLIENT.clientSecret());
        stopped.await();
    }
}
