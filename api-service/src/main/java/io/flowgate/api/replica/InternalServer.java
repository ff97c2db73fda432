package io.flowgate.api.replica;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The internal port: reads of keys this replica's Kafka Streams tasks own, for the other replicas
 * ({@link InternalRoute}s). Every request must carry the replicas' credential ({@link InternalAuth});
 * anything else is a 404. It is a plain Reactor Netty server rather than a second Spring WebFlux
 * server because it serves a handful of fixed reads and none of the public API's filters apply.
 */
@Component
class InternalServer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(InternalServer.class);
    private static final int MAX_REQUEST_LINE = 64 * 1024;

    private final ReplicaProperties properties;
    private final InternalAuth auth;
    private final List<InternalRoute> routes;
    private final @Nullable ReactorResourceFactory resources;
    private volatile @Nullable DisposableServer server;

    InternalServer(
            ReplicaProperties properties,
            InternalAuth auth,
            List<InternalRoute> routes,
            ObjectProvider<ReactorResourceFactory> resources) {
        this.properties = properties;
        this.auth = auth;
        this.routes = routes;
        this.resources = resources.getIfAvailable();
    }

    @Override
    public void start() {
        HttpServer http = HttpServer.create()
                .host(properties.address())
                .port(properties.port())
                // A forwarded trigger poll carries the tenant's filter in its query: a 2,000-character
                // condition, percent-encoded, passes Netty's default 4 KB request line.
                .httpRequestDecoder(spec -> spec.maxInitialLineLength(MAX_REQUEST_LINE));
        if (resources != null) {
            http = http.runOn(resources.getLoopResources());
        }
        server = http.route(r -> routes.forEach(route -> r.get(route.path(), (request, response) -> {
                    if (!auth.accepts(request.requestHeaders().get(HttpHeaderNames.AUTHORIZATION))) {
                        return response.status(HttpResponseStatus.NOT_FOUND).send();
                    }
                    return answer(route, request, response);
                })))
                .bindNow();
        log.info("Internal port for other replicas on {}:{}", properties.address(), properties.port());
    }

    private static org.reactivestreams.Publisher<Void> answer(
            InternalRoute route, HttpServerRequest request, HttpServerResponse response) {
        Map<String, String> parameters = request.params() == null ? Map.of() : request.params();
        var query = new QueryStringDecoder(request.uri()).parameters();
        return route.get(new InternalRoute.Request(parameters, query))
                .onErrorResume(e -> {
                    log.warn("Internal read {} failed", request.path(), e);
                    return Mono.just(InternalRoute.Answer.unavailable());
                })
                .flatMap(answer -> Mono.from(response.status(answer.status())
                        .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                        .sendByteArray(Mono.just(answer.body()))
                        .then()));
    }

    @Override
    public void stop() {
        DisposableServer running = server;
        if (running != null) {
            running.disposeNow();
            server = null;
        }
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }
}
