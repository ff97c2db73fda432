package io.flowgate.dispatcher.delivery;

import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Adds the current trace context (W3C {@code traceparent}) to a callback's headers, so the receiver
 * can join the trace of the flow action that led to it. The callback is sent by Reactor Netty's
 * plain client, not by an instrumented one, so the context is added here, with the propagator that
 * the services use for HTTP and Kafka alike.
 */
public final class TraceContextHeaders {

    /** Adds nothing: tracing is off. */
    public static final TraceContextHeaders NONE = new TraceContextHeaders(null, null);

    private final @Nullable Tracer tracer;
    private final @Nullable Propagator propagator;

    public TraceContextHeaders(@Nullable Tracer tracer, @Nullable Propagator propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
    }

    /** Adds the headers of the trace the calling thread is in, if any. */
    public void addTo(Map<String, String> headers) {
        if (tracer == null || propagator == null) {
            return;
        }
        TraceContext context = tracer.currentTraceContext().context();
        if (context != null) {
            propagator.inject(context, headers, (carrier, name, value) -> {
                if (carrier != null) {
                    carrier.put(name, value);
                }
            });
        }
    }
}
