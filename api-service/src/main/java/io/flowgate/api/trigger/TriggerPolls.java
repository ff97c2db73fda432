package io.flowgate.api.trigger;

import io.flowgate.api.config.ApiProperties;
import io.flowgate.api.problem.FlowgateProblem;
import io.flowgate.api.problem.InvalidRequest;
import io.flowgate.api.problem.ProblemTypes;
import io.flowgate.api.trigger.TriggerStates.Position;
import io.flowgate.contracts.TriggerEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * The polling trigger (docs/triggers.md): reads a tenant's events after its {@code triggerState} and
 * decides the answer. A domain result; the controller turns it into HTTP.
 */
@Service
class TriggerPolls {

    private static final Logger log = LoggerFactory.getLogger(TriggerPolls.class);

    private final EventReads reads;
    private final TriggerStates states;
    private final TriggerProperties settings;
    private final Duration unavailableRetryAfter;
    private final Counter gaps;

    TriggerPolls(EventReads reads, TriggerProperties settings, ApiProperties properties, MeterRegistry meters) {
        this.reads = reads;
        this.states = new TriggerStates(properties.idSecret());
        this.settings = settings;
        this.unavailableRetryAfter = properties.unavailableRetryAfter();
        this.gaps = Counter.builder("flowgate.triggers.state.expired")
                .description("Polls whose state was older than the events still retained")
                .register(meters);
    }

    /** How a poll wants its items: one per answer, or a batch of up to {@code maxItems}. */
    record Mode(boolean batch, int maxItems) {}

    /**
     * A poll's answer.
     *
     * @param items what fires the flow: empty means nothing new (202)
     * @param state the state to poll with next
     * @param retryAfter when to poll next ({@code 0}: more are waiting)
     * @param eventsExpired the state was older than the retention and events after it were removed
     */
    record Answer(List<TriggerEvent> items, String state, Duration retryAfter, boolean eventsExpired) {}

    /** Answers one poll of {@code tenantId}'s events; {@code state} is null on the first poll. */
    Mono<Answer> poll(String tenantId, TriggerSelection selection, @Nullable String state, Mode mode) {
        String trigger = selection.trigger().name();
        if (state == null) {
            // "No state" means from now: the position of the newest event, never history.
            return reads.head(tenantId, selection)
                    .map(now -> new Answer(
                            List.of(),
                            states.seal(tenantId, trigger, selection.filter(), now),
                            settings.pollInterval(),
                            false))
                    .onErrorMap(
                            EventIndex.Unavailable.class,
                            e -> FlowgateProblem.temporarilyUnavailable(
                                    "The event index is being restored; retry shortly.", unavailableRetryAfter, e));
        }
        Optional<Position> opened = states.open(tenantId, trigger, selection.filter(), state);
        if (opened.isEmpty()) {
            return Mono.error(new InvalidRequest(
                    ProblemTypes.INVALID_TRIGGER_STATE,
                    "Invalid trigger state",
                    "The triggerState is not one this trigger handed out for this filter and organization. Poll"
                            + " without triggerState to start from now."));
        }
        Position from = opened.get();
        return reads.after(tenantId, selection, from, mode.batch() ? mode.maxItems() : 1)
                .map(page -> answer(tenantId, selection, state, from, page))
                // Nothing is lost by waiting: the same state, a little later.
                .onErrorResume(
                        EventIndex.Unavailable.class,
                        e -> Mono.just(new Answer(List.of(), state, unavailableRetryAfter, false)));
    }

    private Answer answer(
            String tenantId, TriggerSelection selection, String state, Position from, EventIndex.Page page) {
        String trigger = selection.trigger().name();
        boolean expired = page.removedThrough() > from.offset();
        if (expired) {
            gaps.increment();
            log.warn(
                    "A {} poll of tenant {} came with a state older than the retained events; going on from the"
                            + " oldest retained",
                    trigger,
                    tenantId);
        }
        String next =
                page.next().equals(from) ? state : states.seal(tenantId, trigger, selection.filter(), page.next());
        return new Answer(
                page.items().stream().map(EventIndex.Indexed::event).toList(),
                next,
                page.more() ? Duration.ZERO : settings.pollInterval(),
                expired);
    }
}
