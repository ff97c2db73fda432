package io.flowgate.api.trigger;

import io.flowgate.api.replica.InternalRoute;
import io.flowgate.api.replica.ReplicaClient;
import io.flowgate.api.replica.StoreRoutes;
import io.flowgate.api.trigger.TriggerStates.Position;
import io.flowgate.contracts.JsonSerde;
import io.flowgate.contracts.Topics;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.state.HostInfo;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Reads of the event index wherever a tenant's events of a trigger live: the index is partitioned
 * among the api-service replicas by (tenant, trigger), so a poll that reaches a replica which does
 * not own the key reads on the owner's internal port (docs/architecture.md, Scaling out). The poll's
 * state is checked by the replica the poll reached; the owner only reads. Also the internal route.
 */
@Component
class EventReads implements InternalRoute {

    private static final Logger log = LoggerFactory.getLogger(EventReads.class);
    private static final String PATH = "/internal/v1/triggers/";
    private static final String FILTER_PREFIX = "f.";
    private static final JsonSerde<Position> POSITIONS = JsonSerde.of(Position.class);
    private static final JsonSerde<EventIndex.Page> PAGES = JsonSerde.of(EventIndex.Page.class);

    private final EventIndex index;
    private final StoreRoutes routes;
    private final ReplicaClient replicas;
    private final TriggerProperties settings;

    EventReads(EventIndex index, StoreRoutes routes, ReplicaClient replicas, TriggerProperties settings) {
        this.index = index;
        this.routes = routes;
        this.replicas = replicas;
        this.settings = settings;
    }

    /**
     * "Now" for the tenant's events of the selection's trigger.
     *
     * @see EventIndex#head
     */
    Mono<Position> head(String tenantId, TriggerSelection selection) {
        if (owner(tenantId, selection) instanceof StoreRoutes.Remote remote) {
            return remote(remote.owner(), path(tenantId, selection, null, 0), POSITIONS);
        }
        return read(() -> index.head(key(tenantId, selection)));
    }

    /**
     * Up to {@code maxItems} of the tenant's events after {@code from} that pass the selection's filter.
     *
     * @see EventIndex#after
     */
    Mono<EventIndex.Page> after(String tenantId, TriggerSelection selection, Position from, int maxItems) {
        if (owner(tenantId, selection) instanceof StoreRoutes.Remote remote) {
            return remote(remote.owner(), path(tenantId, selection, from, maxItems), PAGES);
        }
        return read(() -> local(tenantId, selection, from, maxItems));
    }

    private EventIndex.Page local(String tenantId, TriggerSelection selection, Position from, int maxItems) {
        return index.after(
                key(tenantId, selection),
                from,
                selection::passes,
                maxItems,
                settings.scanLimit(),
                settings.pollBudget());
    }

    private StoreRoutes.Route owner(String tenantId, TriggerSelection selection) {
        return routes.route(EventIndexTopology.EVENTS, key(tenantId, selection));
    }

    private static String key(String tenantId, TriggerSelection selection) {
        return Topics.eventKey(tenantId, selection.name());
    }

    /** The store takes a lock its writer also takes: read on bounded-elastic, never on an event loop. */
    private static <T> Mono<T> read(java.util.concurrent.Callable<T> read) {
        return Mono.fromCallable(read).subscribeOn(Schedulers.boundedElastic());
    }

    private <T> Mono<T> remote(HostInfo owner, String path, JsonSerde<T> serde) {
        return replicas.read(owner, path, Duration.ZERO, ReplicaClient.json(serde))
                .flatMap(found -> found.map(Mono::just)
                        .orElseGet(() -> Mono.error(new EventIndex.Unavailable(
                                new IllegalStateException("the owner has no index for the key")))))
                .onErrorMap(ReplicaClient.OwnerUnavailable.class, e -> {
                    log.warn("No answer for a trigger poll: {}", e.getMessage());
                    return new EventIndex.Unavailable(e);
                });
    }

    private static String path(String tenantId, TriggerSelection selection, @Nullable Position from, int maxItems) {
        StringBuilder path = new StringBuilder(PATH)
                .append(selection.name())
                .append("/events?tenant=")
                .append(encode(tenantId));
        if (from != null) {
            path.append("&partition=")
                    .append(from.partition())
                    .append("&offset=")
                    .append(from.offset());
            path.append("&max=").append(maxItems);
        }
        selection
                .filter()
                .forEach((name, value) -> path.append('&')
                        .append(encode(FILTER_PREFIX + name))
                        .append('=')
                        .append(encode(value)));
        return path.toString();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Override
    public String path() {
        return PATH + "{trigger}/events";
    }

    /** Another replica reads this one's index: 200 with a position or a page, 503 when not ours (now). */
    @Override
    public Mono<Answer> get(Request request) {
        Optional<String> tenantId = request.query("tenant");
        if (tenantId.isEmpty()) {
            return Mono.just(Answer.notFound());
        }
        MultiValueMap<String, String> filter = new LinkedMultiValueMap<>();
        request.query().forEach((name, values) -> {
            if (name.startsWith(FILTER_PREFIX)) {
                filter.put(name.substring(FILTER_PREFIX.length()), values);
            }
        });
        TriggerSelection selection = TriggerSelection.of(request.path("trigger"), filter, Set.of());
        if (owner(tenantId.get(), selection) instanceof StoreRoutes.Remote) {
            return Mono.just(Answer.unavailable()); // moved away since the caller looked: it asks again
        }
        Optional<String> partition = request.query("partition");
        Mono<byte[]> read = partition.isEmpty()
                ? read(() -> POSITIONS.serialize("internal", index.head(key(tenantId.get(), selection))))
                : read(() -> PAGES.serialize(
                        "internal",
                        local(
                                tenantId.get(),
                                selection,
                                new Position(
                                        Integer.parseInt(partition.get()),
                                        Long.parseLong(request.query("offset").orElse("-1"))),
                                Integer.parseInt(request.query("max").orElse("1")))));
        return read.map(Answer::ok).onErrorResume(EventIndex.Unavailable.class, e -> Mono.just(Answer.unavailable()));
    }
}
