package io.flowgate.api.logging;

import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ThreadLocalAccessor;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * A request's log fields (the tenant id and the Logic Apps correlation headers) kept in the Reactor
 * context and set in the logging MDC on whichever thread works on the request.
 *
 * <p>WebFlux hops threads (event loop, Kafka's producer thread, bounded elastic), so an MDC set once
 * is lost. With Reactor's automatic context propagation ({@code spring.reactor.context-propagation=auto}),
 * Micrometer's context-propagation library restores each registered {@link ThreadLocalAccessor} from
 * the Reactor context around every signal; this accessor is the one for these fields. The trace and
 * span ids come the same way from Micrometer Tracing's own accessor.
 */
public final class LogContext implements ThreadLocalAccessor<Map<String, String>> {

    /** The Reactor context key of the fields. */
    public static final String KEY = "flowgate.log-context";

    private static final ThreadLocal<@Nullable Map<String, String>> CURRENT = new ThreadLocal<>();

    private LogContext() {}

    /** Registers the accessor once per class loader (idempotent). */
    public static synchronized void register() {
        ContextRegistry registry = ContextRegistry.getInstance();
        if (registry.getThreadLocalAccessors().stream().noneMatch(a -> KEY.equals(a.key()))) {
            registry.registerThreadLocalAccessor(new LogContext());
        }
    }

    @Override
    public Object key() {
        return KEY;
    }

    @Override
    public @Nullable Map<String, String> getValue() {
        return CURRENT.get();
    }

    @Override
    public void setValue(Map<String, String> fields) {
        clearFields();
        CURRENT.set(fields);
        fields.forEach(MDC::put);
    }

    @Override
    public void setValue() {
        clearFields();
        CURRENT.remove();
    }

    private static void clearFields() {
        Map<String, String> previous = CURRENT.get();
        if (previous != null) {
            previous.keySet().forEach(MDC::remove);
        }
    }
}
