package io.flowgate.api.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.flowgate.api.problem.InvalidRequest;
import io.flowgate.api.problem.ProblemTypes;
import io.flowgate.contracts.CallbackDeadLettered;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * The operator's view of dead-lettered callbacks, and their redrive (operator role, like the tenant
 * admin API). Both read the whole dead-letter topic, which its retention keeps small.
 */
@RestController
class DeadLetterController {

    private static final int MAX_LISTED = 1000;

    private final DeadLetters deadLetters;

    DeadLetterController(DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    /**
     * Which dead letters to act on; at least one of tenant, subscription or delivery ids.
     *
     * @param tenantId only this tenant's
     * @param subscriptionId only this subscription's
     * @param deliveryIds only these callbacks ({@code webhook-id}s)
     * @param since only those dead-lettered at or after this instant
     */
    record Selection(
            @Nullable String tenantId,
            @Nullable String subscriptionId,
            @Nullable List<String> deliveryIds,
            @Nullable Instant since) {

        Predicate<CallbackDeadLettered> filter() {
            return dead -> (tenantId == null || tenantId.equals(dead.callback().tenantId()))
                    && (subscriptionId == null
                            || subscriptionId.equals(dead.callback().subscriptionId()))
                    && (deliveryIds == null
                            || deliveryIds.contains(dead.callback().deliveryId()))
                    && (since == null || !dead.at().isBefore(since));
        }
    }

    @GetMapping(path = "/admin/v1/dead-letters", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<Listed> list(
            @RequestParam(required = false) @Nullable String tenantId,
            @RequestParam(required = false) @Nullable String subscriptionId,
            @RequestParam(required = false) @Nullable Instant since) {
        Selection selection = new Selection(tenantId, subscriptionId, null, since);
        return deadLetters.find(selection.filter()).map(found -> {
            List<DeadLetter> value =
                    found.stream().limit(MAX_LISTED).map(DeadLetter::of).toList();
            return new Listed(value, found.size());
        });
    }

    @PostMapping(
            path = "/admin/v1/dead-letters/redrive",
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<Redriven> redrive(@RequestBody Selection selection) {
        if (selection.tenantId() == null
                && selection.subscriptionId() == null
                && (selection.deliveryIds() == null || selection.deliveryIds().isEmpty())) {
            throw new InvalidRequest(
                    ProblemTypes.INVALID_DEAD_LETTER_SELECTION,
                    "Invalid selection",
                    "Name a tenantId, a subscriptionId or deliveryIds: a redrive never takes everything at once.");
        }
        return deadLetters.redrive(selection.filter()).map(Redriven::new);
    }

    /** One dead letter as operators see it (never its payload or callback URL). */
    record DeadLetter(
            String tenantId,
            String subscriptionId,
            String deliveryId,
            int attempts,
            String reason,

            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable
            Integer lastStatusCode,

            Instant requestedAt,
            Instant deadLetteredAt) {

        static DeadLetter of(CallbackDeadLettered dead) {
            return new DeadLetter(
                    dead.callback().tenantId(),
                    dead.callback().subscriptionId(),
                    dead.callback().deliveryId(),
                    dead.callback().attempts() + 1,
                    dead.reason(),
                    dead.lastStatusCode(),
                    dead.callback().requestedAt(),
                    dead.at());
        }
    }

    /** The dead letters selected (at most {@code MAX_LISTED}) and how many there are. */
    record Listed(List<DeadLetter> value, int total) {}

    /** How many dead letters were put back on the callbacks topic. */
    record Redriven(long redriven) {}
}
