package io.flowgate.dispatcher.config;

import io.flowgate.dispatcher.delivery.CallbackConsumer;
import io.flowgate.dispatcher.delivery.SubscriptionDirectory;
import io.flowgate.tenancy.TenantDirectory;
import java.time.Duration;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts reading callbacks once the tenant registry and the subscriptions have been read (a callback
 * is only ever judged against complete views), and stops reading first on shutdown.
 */
final class DeliveryLifecycle implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DeliveryLifecycle.class);

    private final Supplier<CallbackConsumer> consumers;
    private final TenantDirectory tenants;
    private final SubscriptionDirectory subscriptions;
    private final Duration catchUpTimeout;
    private @Nullable CallbackConsumer consumer;

    DeliveryLifecycle(
            Supplier<CallbackConsumer> consumers,
            TenantDirectory tenants,
            SubscriptionDirectory subscriptions,
            Duration catchUpTimeout) {
        this.consumers = consumers;
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
        consumer = consumers.get();
        consumer.start();
    }

    @Override
    public void stop() {
        if (consumer != null) {
            consumer.close();
            consumer = null;
        }
    }

    @Override
    public boolean isRunning() {
        return consumer != null;
    }
}
