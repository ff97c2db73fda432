package io.flowgate.api.replica;

import io.flowgate.contracts.JsonSerde;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.streams.state.HostInfo;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/** Reads a key another replica owns, on that replica's internal port ({@link InternalServer}). */
@Component
public class ReplicaClient {

    private final HttpClient http;
    private final Duration timeout;

    ReplicaClient(ReplicaProperties properties, InternalAuth auth, ObjectProvider<ReactorResourceFactory> resources) {
        ReactorResourceFactory factory = resources.getIfAvailable();
        HttpClient client = factory == null
                ? HttpClient.create()
                : HttpClient.create(factory.getConnectionProvider()).runOn(factory.getLoopResources());
        this.http = client.headers(headers -> headers.set(HttpHeaderNames.AUTHORIZATION, auth.header()));
        this.timeout = properties.timeout();
    }

    /**
     * Reads a key on the replica that owns it: the value (200), empty (404: the owner has nothing
     * under the key), or fails with {@link OwnerUnavailable} when the owner cannot answer now
     * (unreachable, restoring, or the key moved away from it).
     */
    public <T> Mono<Optional<T>> read(HostInfo owner, String pathAndQuery, Duration wait, Function<byte[], T> decode) {
        return get(owner, pathAndQuery, wait)
                .onErrorMap(e -> new OwnerUnavailable(owner, e.toString()))
                .map(answer -> switch (answer.status()) {
                    case 200 -> Optional.of(decode.apply(answer.body()));
                    case 404 -> Optional.<T>empty();
                    default -> throw new OwnerUnavailable(owner, "it answered " + answer.status());
                });
    }

    /**
     * Reads {@code pathAndQuery} on every replica in {@code replicas} (an administrative fan-out): one
     * value each, or fails with {@link OwnerUnavailable} if any cannot answer, so a caller never takes
     * a part for the whole.
     */
    public <T> Mono<List<T>> readAll(List<HostInfo> replicas, String pathAndQuery, Function<byte[], T> decode) {
        return Flux.fromIterable(replicas)
                .flatMap(replica -> read(replica, pathAndQuery, Duration.ZERO, decode)
                        .map(found -> found.orElseThrow(() -> new OwnerUnavailable(replica, "it answered 404"))))
                .collectList();
    }

    /** Decodes an answer written with {@code serde} (an empty or null value is a broken answer). */
    public static <T> Function<byte[], T> json(JsonSerde<T> serde) {
        return bytes -> {
            T value = serde.deserialize("internal", bytes);
            if (value == null) {
                throw new IllegalStateException("an empty answer from another replica");
            }
            return value;
        };
    }

    /** The replica that owns a key cannot answer for it now. */
    public static final class OwnerUnavailable extends RuntimeException {
        OwnerUnavailable(HostInfo owner, String why) {
            super("replica " + owner.host() + ":" + owner.port() + " cannot answer now: " + why, null, false, false);
        }
    }

    /**
     * GETs {@code pathAndQuery} from the replica at {@code owner}, which may take {@code wait} (a long
     * poll) on top of the usual timeout. Fails when the replica cannot be reached in time.
     */
    public Mono<InternalRoute.Answer> get(HostInfo owner, String pathAndQuery, Duration wait) {
        Duration limit = timeout.plus(wait);
        return http.responseTimeout(limit)
                .get()
                .uri("http://" + owner.host() + ":" + owner.port() + pathAndQuery)
                .responseSingle((response, body) -> body.asByteArray()
                        .defaultIfEmpty(new byte[0])
                        .map(bytes -> new InternalRoute.Answer(response.status().code(), bytes)))
                .timeout(limit);
    }
}
