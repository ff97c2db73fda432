package io.flowgate.api.replica;

import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How api-service replicas reach each other (docs/architecture.md, Scaling out): each serves the
 * keys its Kafka Streams tasks own on an internal port, never the public one, and forwards a request
 * for a key another replica owns there.
 *
 * @param port the internal port (a fixed port: Kafka Streams advertises it to the other replicas)
 * @param address the address the internal port listens on
 * @param advertisedHost the host name or address other replicas use to reach this one (a pod's IP);
 *     {@code address} when not set
 * @param timeout how long a forwarded read may take, on top of the wait it asks for
 */
@ConfigurationProperties("flowgate.api.replica")
@Validated
public record ReplicaProperties(
        @DefaultValue("9081") @Positive int port,
        @DefaultValue("127.0.0.1") String address,
        @Nullable String advertisedHost,
        @DefaultValue("5s") Duration timeout) {

    /** {@code host:port} as Kafka Streams' {@code application.server}. */
    public String applicationServer() {
        return host() + ":" + port;
    }

    /** The host other replicas reach this one at. */
    public String host() {
        return advertisedHost == null || advertisedHost.isBlank() ? address : advertisedHost;
    }
}
