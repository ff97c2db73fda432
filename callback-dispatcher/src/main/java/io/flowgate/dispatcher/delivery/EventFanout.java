package io.flowgate.dispatcher.delivery;

import io.flowgate.contracts.CallbackRequested;
import io.flowgate.contracts.Subscription;
import io.flowgate.contracts.Topics;
import io.flowgate.contracts.TriggerEvent;
import io.flowgate.contracts.Triggers;
import io.flowgate.expressions.Condition;
import io.flowgate.kafka.DurableWrites;
import io.flowgate.kafka.Readers;
import io.flowgate.kafka.TopicWriter;
import io.flowgate.kafka.WorkLoop;
import io.flowgate.kafka.WorkLoop.Ticket;
import io.flowgate.tenancy.TenantDirectory;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The webhook triggers' fan-out (docs/triggers.md): reads {@code flowgate.events} (consumer group
 * {@code flowgate-dispatcher-fanout}) and writes one callback per event per matching subscription to
 * {@code flowgate.callbacks}, where the dispatcher delivers it like any other (signatures, retries,
 * breakers, dead letters, the attempts log).
 *
 * <ul>
 *   <li>An event goes to the trigger subscriptions of its own tenant and trigger whose filter it
 *       passes (its JSONata condition included, within {@link Condition}'s limits and
 *       {@link #CONDITIONS_PER_EVENT} for all of them), that were created no later than the event was
 *       received, and whose receiver has not
 *       said it is gone. Before each event the subscription views are read up to now, so a subscribe
 *       answered before the event was received is always seen.
 *   <li>The callback's {@code webhook-id} is derived from the subscription and the event, so an event
 *       fanned out twice (at least once: a crash after the writes, before the commit) is the same
 *       delivery to its receiver.
 *   <li>The events of one partition are fanned out in order; the offset is committed once every
 *       callback of the event is in Kafka.
 * </ul>
 */
public final class EventFanout implements Consuming {

    private static final Logger log = LoggerFactory.getLogger(EventFanout.class);
    private static final Duration MAX_WRITE_BACKOFF = Duration.ofSeconds(5);

    /**
     * The time all conditions of one event's subscriptions may take together (each one at most
     * {@link Condition#MAX_TIME}); past it, the subscriptions left with a condition do not get the event.
     */
    static final Duration CONDITIONS_PER_EVENT = Duration.ofMillis(250);

    private final SubscriptionDirectory subscriptions;
    private final TenantDirectory tenants;
    private final TopicWriter kafka;
    private final ExecutorService executor;
    private final Clock clock;
    private final MeterRegistry meters;
    private final WorkLoop<TriggerEvent> loop;
    private volatile boolean closing;

    public EventFanout(
            Map<String, Object> consumerConfig,
            SubscriptionDirectory subscriptions,
            TenantDirectory tenants,
            TopicWriter kafka,
            ExecutorService executor,
            Clock clock,
            MeterRegistry meters,
            Readers readers) {
        this.subscriptions = subscriptions;
        this.tenants = tenants;
        this.kafka = kafka;
        this.executor = executor;
        this.clock = clock;
        this.meters = meters;
        this.loop = new WorkLoop<>(
                "flowgate-dispatcher-fanout",
                consumerConfig,
                "flowgate-dispatcher-fanout",
                List.of(Topics.EVENTS.name()),
                () -> Topics.EVENTS.valueSerde().deserializer(),
                Events::new,
                readers,
                meters);
    }

    @Override
    public void start() {
        loop.start();
    }

    /** The events of one life of the loop, fanned out one after the other per partition. */
    private final class Events implements WorkLoop.Work<TriggerEvent> {

        private final Map<TopicPartition, CompletableFuture<Void>> tails = new HashMap<>();

        @Override
        public boolean take(ConsumerRecord<String, TriggerEvent> record, Ticket ticket) {
            TriggerEvent event = record.value();
            if (!record.key().equals(Topics.eventKey(event.tenantId(), event.trigger()))
                    || tenants.isOffboarded(event.tenantId())) {
                ticket.done(); // not its own tenant's key, or its tenant is gone: nobody gets it
                return true;
            }
            CompletableFuture<Void> barrier = subscriptions.syncAllAsync();
            CompletableFuture<Void> tail = tails.getOrDefault(
                            ticket.partition(), CompletableFuture.completedFuture(null))
                    .thenCombine(barrier, (a, b) -> (Void) null)
                    .thenRunAsync(() -> fanOut(event), executor);
            tails.put(ticket.partition(), tail.exceptionally(e -> null));
            tail.whenComplete((ok, failure) -> {
                if (failure == null) {
                    ticket.done();
                } else if (!closing) {
                    ticket.skip(failure);
                }
            });
            return true;
        }

        @Override
        public void revoking(Collection<TopicPartition> partitions) {
            partitions.forEach(tails::remove);
        }

        @Override
        public void lost(Collection<TopicPartition> partitions) {
            revoking(partitions);
        }
    }

    private void fanOut(TriggerEvent event) {
        JsonNode item = Triggers.item(event);
        Instant now = clock.instant();
        // A tenant's conditions share one budget per event: many slow ones cannot hold the partition,
        // which other tenants' events share, for longer than that.
        long conditionsDeadline = System.nanoTime() + CONDITIONS_PER_EVENT.toNanos();
        List<CallbackRequested> callbacks = new ArrayList<>();
        for (Subscription subscription : subscriptions.subscribersOf(event.tenantId(), event.trigger())) {
            if (subscription.createdAt().isAfter(event.receivedAt())
                    || !Triggers.matches(subscription.filter(), event)) {
                continue;
            }
            String condition = subscription.filter().get(Triggers.CONDITION);
            if (condition != null) {
                if (System.nanoTime() > conditionsDeadline) {
                    meters.counter("flowgate.dispatcher.fanout.condition.skipped", "trigger", event.trigger())
                            .increment();
                    log.warn(
                            "Event {} of tenant {}: its subscriptions' conditions ran past {} ms, subscription {}"
                                    + " does not get it",
                            event.eventId(),
                            event.tenantId(),
                            CONDITIONS_PER_EVENT.toMillis(),
                            subscription.subscriptionId());
                    continue;
                }
                if (!Condition.passes(condition, item)) {
                    meters.counter("flowgate.dispatcher.fanout.condition.false", "trigger", event.trigger())
                            .increment();
                    continue;
                }
            }
            callbacks.add(new CallbackRequested(
                    event.tenantId(),
                    subscription.subscriptionId(),
                    CallbackRequested.deliveryId(subscription.subscriptionId(), event.eventId()),
                    item,
                    now,
                    0,
                    now,
                    subscription.correlation()));
        }
        List<Future<?>> sends = new ArrayList<>();
        for (CallbackRequested callback : callbacks) {
            sends.add(kafka.send(Topics.CALLBACKS, callback.subscriptionId(), callback));
        }
        for (int i = 0; i < callbacks.size(); i++) {
            if (!acknowledged(sends.get(i))) {
                writeAgain(callbacks.get(i));
            }
        }
        if (!callbacks.isEmpty()) {
            meters.counter("flowgate.dispatcher.fanout.callbacks", "trigger", event.trigger())
                    .increment(callbacks.size());
            log.debug(
                    "Event {} of tenant {} fanned out to {} subscriptions",
                    event.eventId(),
                    event.tenantId(),
                    callbacks.size());
        }
    }

    private static boolean acknowledged(Future<?> send) {
        try {
            send.get();
            return true;
        } catch (ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void writeAgain(CallbackRequested callback) {
        try {
            DurableWrites.write(
                    "the callback " + callback.deliveryId(),
                    () -> kafka.send(Topics.CALLBACKS, callback.subscriptionId(), callback),
                    () -> closing,
                    MAX_WRITE_BACKOFF);
        } catch (DurableWrites.Unwritable e) {
            // The item is the event's own payload, which Kafka took once: it fits unless the
            // callback's envelope pushes it over. Counted and left out rather than holding the partition.
            meters.counter("flowgate.dispatcher.records.unwritable", "topic", Topics.CALLBACKS.name())
                    .increment();
            log.error("The callback {} of an event cannot be written; left out", callback.deliveryId(), e);
        }
    }

    @Override
    public void close() {
        closing = true;
        loop.stop(Duration.ofSeconds(15));
    }
}
