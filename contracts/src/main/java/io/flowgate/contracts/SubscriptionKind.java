package io.flowgate.contracts;

/** What a subscription waits for. */
public enum SubscriptionKind {
    /** A webhook action: one callback when the subscription's job ends. */
    ACTION,
    /** A webhook trigger: one callback per matching event. */
    TRIGGER
}
