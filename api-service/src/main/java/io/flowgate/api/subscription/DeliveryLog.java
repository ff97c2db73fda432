package io.flowgate.api.subscription;

import io.flowgate.contracts.DeliveryAttempted;
import io.flowgate.contracts.DeliveryOutcome;
import java.util.ArrayList;
import java.util.List;

/**
 * The latest delivery attempts of one subscription, newest first.
 *
 * @param attempts at most {@link #SIZE} attempts
 */
record DeliveryLog(List<DeliveryAttempted> attempts) {

    /** Attempts kept per subscription: every attempt of a full retry schedule, with room to spare. */
    static final int SIZE = 100;

    static final DeliveryLog EMPTY = new DeliveryLog(List.of());

    /** Whether a callback was answered 410 Gone: the receiver ended the subscription. */
    boolean gone() {
        return attempts.stream().anyMatch(a -> a.outcome() == DeliveryOutcome.GONE);
    }

    /** This log with {@code attempt} added in front, the oldest dropped beyond {@link #SIZE}. */
    DeliveryLog with(DeliveryAttempted attempt) {
        List<DeliveryAttempted> next = new ArrayList<>(Math.min(attempts.size() + 1, SIZE));
        next.add(attempt);
        next.addAll(attempts.subList(0, Math.min(attempts.size(), SIZE - 1)));
        return new DeliveryLog(List.copyOf(next));
    }
}
