package io.flowgate.dispatcher.config;

import io.flowgate.dispatcher.delivery.Consuming;
import io.flowgate.dispatcher.delivery.SubscriptionDirectory;
import io.flowgate.tenancy.TenantDirectory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts reading callbacks and events (the fan-out) once the tenant registry and the subscriptions have
 * been read (a callback or an event is only ever judged against complete views), and stops reading
 * first on shutdown.
 */
final class DeliveryLifecycle implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DeliveryLifecycle.class);

    private final List<Supplier<? extends Consuming>> loops;
    private final TenantDirectory tenants;
    private final SubscriptionDirectory subscriptions;
    private final Duration catchUpTimeout;
    private final List<Consuming> running = new ArrayList<>();

    DeliveryLifecycle(
            List<Supplier<? extends Consuming>> loops,
            TenantDirectory tenants,
            SubscriptionDirectory subscriptions,
            Duration catchUpTimeout) {
        this.loops = loops;
        this.tenants = tenants;
        this.subscriptions = subscriptions;
        this.catchUpTimeout = catchUpTimeout;
    }

    @Override
    public void start() {
        try {
            if (!tenants.awaitCaughtUp(catchUpTimeout) || !subscriptions.awaitCaughtUp(catchUpTimeout)) {
                log.warn(
                        "Tenant registry or subscriptions not read within {}; each attempt waits for them",
                        catchUpTimeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Supplier<? extends Consuming> loop : loops) {
            Consuming started = loop.get();
            started.start();
            running.add(started);
        }
    }

    @Override
    public void stop() {
        running.forEach(Consuming::close);
        running.clear();
    }

    @Override
    public boolean isRunning() {
        return !running.isEmpty();
    }
}
