package io.flowgate.dispatcher.delivery;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * When to try a callback again: exponential-looking waits from configuration, each varied by a random
 * jitter so that many callbacks failing together do not come back together; a receiver's {@code
 * Retry-After} (on 429 and 503) replaces the wait, up to a cap.
 */
public final class RetrySchedule {

    private final List<Duration> waits;
    private final double jitter;
    private final Duration maxRetryAfter;
    private final RandomGenerator random;

    public RetrySchedule(List<Duration> waits, double jitter, Duration maxRetryAfter, RandomGenerator random) {
        if (jitter < 0 || jitter >= 1) {
            throw new IllegalArgumentException("jitter must be in [0, 1)");
        }
        this.waits = List.copyOf(waits);
        this.jitter = jitter;
        this.maxRetryAfter = maxRetryAfter;
        this.random = random;
    }

    /** How many attempts a callback gets in all. */
    public int maxAttempts() {
        return waits.size() + 1;
    }

    /**
     * The wait before the next attempt, after attempt number {@code attempt} (1-based) failed; empty
     * when that was the last one.
     *
     * @param retryAfter the receiver's {@code Retry-After}, if it sent one
     */
    public Optional<Duration> after(int attempt, @Nullable Duration retryAfter) {
        if (attempt >= maxAttempts()) {
            return Optional.empty();
        }
        if (retryAfter != null) {
            return Optional.of(retryAfter.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : retryAfter);
        }
        Duration wait = waits.get(attempt - 1);
        double factor = 1 + (jitter == 0 ? 0 : random.nextDouble(-jitter, jitter));
        return Optional.of(Duration.ofMillis(Math.round(wait.toMillis() * factor)));
    }

    /** The total of the configured waits, without jitter: how long a callback is retried. */
    public Duration span() {
        return waits.stream().reduce(Duration.ZERO, Duration::plus);
    }
}
