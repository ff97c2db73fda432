package io.flowgate.dispatcher.delivery;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of callback delivery. Every one is documented in docs/configuration.md.
 *
 * @param connectTimeout longest wait for a connection to a receiver
 * @param responseTimeout longest wait for the receiver's answer once the request is sent
 * @param maxResponseBody most of a receiver's answer body that is read (the rest is dropped)
 * @param retrySchedule the waits before the 2nd, 3rd, ... attempt; its length + 1 is the number of
 *     attempts. The default spans about a day: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h
 * @param jitter each wait is varied at random by up to this fraction either way
 * @param retryTiers the delays of the retry topics, one topic each; a wait is served by the longest
 *     tier not above it, repeatedly, so any wait works with a few tiers
 * @param maxRetryAfter cap on a receiver's {@code Retry-After}
 * @param tenantConcurrency attempts in progress at once per tenant
 * @param tenantQueue attempts waiting per tenant beyond those; more are put off to the shortest tier
 * @param maxPending attempts in progress or waiting in this replica before it stops reading
 * @param syncTimeout longest wait for the subscription and tenant views to catch up before an attempt
 * @param catchUpTimeout longest wait at start-up for the views to be read
 * @param breaker the circuit breaker of each (tenant, receiver host)
 */
@ConfigurationProperties("flowgate.dispatcher")
@Validated
public record DispatcherProperties(
        @DefaultValue("5s") Duration connectTimeout,
        @DefaultValue("15s") Duration responseTimeout,
        @DefaultValue("64KB") DataSize maxResponseBody,

        @DefaultValue({"5s", "5m", "30m", "2h", "5h", "10h", "10h"}) @NotEmpty
        List<Duration> retrySchedule,

        @DefaultValue("0.2") @DecimalMin("0") @DecimalMax("1")
        double jitter,

        @DefaultValue({"5s", "1m", "10m", "1h"}) @NotEmpty List<Duration> retryTiers,
        @DefaultValue("6h") Duration maxRetryAfter,
        @DefaultValue("64") @Positive int tenantConcurrency,
        @DefaultValue("256") @PositiveOrZero int tenantQueue,
        @DefaultValue("2000") @Positive int maxPending,
        @DefaultValue("5s") Duration syncTimeout,
        @DefaultValue("30s") Duration catchUpTimeout,
        @DefaultValue @Valid Breaker breaker) {

    /**
     * Circuit breaker settings.
     *
     * @param failureRate percentage of failed attempts (connection errors, timeouts, 408, 429, 5xx)
     *     in the window that opens the circuit
     * @param window attempts in the sliding window
     * @param minimumCalls attempts before the rate is judged
     * @param openFor how long an open circuit refuses attempts before letting a few through
     * @param evictIdleAfter a breaker not used for this long is forgotten
     */
    public record Breaker(
            @DefaultValue("50") @DecimalMin("1") @DecimalMax("100")
            float failureRate,

            @DefaultValue("20") @Positive int window,
            @DefaultValue("10") @Positive int minimumCalls,
            @DefaultValue("30s") Duration openFor,
            @DefaultValue("1h") Duration evictIdleAfter) {}
}
