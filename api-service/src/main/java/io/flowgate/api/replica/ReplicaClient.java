package io.flowgate.api.replica;

import io.netty.handler.codec.http.HttpHeaderNames;
import java.time.Duration;
import org.apache.kafka.streams.state.HostInfo;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.stereotype.Component;
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
