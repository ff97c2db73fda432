package io.flowgate.dispatcher.delivery;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What happens after one delivery attempt, decided from the receiver's answer and the attempt's
 * number alone ({@link #of}): a pure function, so every status class, {@code Retry-After} form and
 * attempt count is tested as a table, apart from the sending, signing and writing around it.
 */
sealed interface AttemptOutcome {

    /** The receiver's status, if it answered. */
    @Nullable
    Integer status();

    /** 2xx: done. */
    record Delivered(int statusCode) implements AttemptOutcome {
        @Override
        public Integer status() {
            return statusCode;
        }
    }

    /** 404 or 410: the receiver says the subscription is gone (the flow was deleted or ended). */
    record Gone(int statusCode) implements AttemptOutcome {
        @Override
        public Integer status() {
            return statusCode;
        }

        String reason() {
            return "the receiver answered " + statusCode + ": the subscription is gone";
        }
    }

    /** A failure no retry can mend, or the last attempt failed: the callback is dead-lettered. */
    record DeadLetter(@Nullable Integer status, String reason) implements AttemptOutcome {}

    /** A failure that may pass: try again after {@code delay}. */
    record Retry(@Nullable Integer status, Duration delay, String reason) implements AttemptOutcome {}

    /**
     * The outcome of attempt number {@code attempt} (1-based).
     *
     * <ul>
     *   <li>2xx delivered; 404 and 410 gone;
     *   <li>a refused address, 3xx (redirects are not followed) and other 4xx dead-lettered at once;
     *   <li>408, 429, 5xx and no answer at all (connection failure, timeout, open circuit) retried
     *       on the schedule, a {@code Retry-After} on 429 and 503 replacing the wait (up to its cap),
     *       and dead-lettered once the attempts are used up.
     * </ul>
     */
    static AttemptOutcome of(CallbackSender.Answer answer, int attempt, RetrySchedule schedule) {
        Integer status = answer.status();
        if (status != null && status >= 200 && status < 300) {
            return new Delivered(status);
        }
        if (status != null && (status == 404 || status == 410)) {
            return new Gone(status);
        }
        if (answer.addressRefused()) {
            return new DeadLetter(null, String.valueOf(answer.failure()));
        }
        if (status != null && status >= 300 && status < 400) {
            return new DeadLetter(status, "redirect (" + status + ") not followed");
        }
        if (status != null && status >= 400 && status < 500 && status != 408 && status != 429) {
            return new DeadLetter(status, "the receiver refused the callback (" + status + ")");
        }
        String reason = status != null ? "the receiver answered " + status : String.valueOf(answer.failure());
        Duration retryAfter = status != null && (status == 429 || status == 503) ? answer.retryAfter() : null;
        return schedule.after(attempt, retryAfter)
                .<AttemptOutcome>map(wait -> new Retry(status, wait, reason))
                .orElseGet(() -> new DeadLetter(status, "attempts exhausted (" + attempt + "): " + reason));
    }

    /**
     * Whether the answer counts against the receiver's circuit breaker: connection errors, timeouts,
     * 408, 429 and 5xx. A refused address is Flowgate's own refusal, not the receiver's fault.
     */
    static boolean isReceiverFault(CallbackSender.Answer answer) {
        Integer status = answer.status();
        if (status == null) {
            return !answer.addressRefused();
        }
        return status == 408 || status == 429 || status >= 500;
    }
}
