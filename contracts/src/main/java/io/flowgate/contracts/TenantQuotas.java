package io.flowgate.contracts;

import org.jspecify.annotations.Nullable;

/**
 * Limits of one tenant. In a registration, each limit that is set overrides the plan's; an unset
 * limit (null) takes the plan's value.
 *
 * @param requestsPerSecond sustained request rate on {@code /api/v1}
 * @param burst requests allowed at once above the sustained rate
 * @param jobsInFlight jobs accepted and not yet finished
 * @param subscriptions active webhook subscriptions
 * @param maxBodyBytes largest request body
 */
public record TenantQuotas(
        @Nullable Integer requestsPerSecond,
        @Nullable Integer burst,
        @Nullable Integer jobsInFlight,
        @Nullable Integer subscriptions,
        @Nullable Long maxBodyBytes) {

    /** No overrides: everything from the plan. */
    public static TenantQuotas none() {
        return new TenantQuotas(null, null, null, null, null);
    }

    /** These limits, with each unset one taken from {@code defaults}. */
    public TenantQuotas over(TenantQuotas defaults) {
        return new TenantQuotas(
                requestsPerSecond != null ? requestsPerSecond : defaults.requestsPerSecond,
                burst != null ? burst : defaults.burst,
                jobsInFlight != null ? jobsInFlight : defaults.jobsInFlight,
                subscriptions != null ? subscriptions : defaults.subscriptions,
                maxBodyBytes != null ? maxBodyBytes : defaults.maxBodyBytes);
    }
}
