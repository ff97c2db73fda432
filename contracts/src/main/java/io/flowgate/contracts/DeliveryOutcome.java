package io.flowgate.contracts;

/** How one delivery attempt ended. */
public enum DeliveryOutcome {
    /** The receiver answered 2xx. */
    DELIVERED,
    /** It failed for a reason that may pass (connection, timeout, 408, 429, 5xx); another attempt is scheduled. */
    RETRYING,
    /** The receiver answered 404 or 410: the subscription is gone on its side; no more attempts. */
    GONE,
    /** It failed for good (another 4xx, a refused address, a redirect) or ran out of attempts. */
    DEAD_LETTERED
}
