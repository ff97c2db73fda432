package io.flowgate.contracts;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A callback that will not be attempted again unless an operator redrives it.
 *
 * @param callback the callback as it was last attempted
 * @param reason why it stopped (the last error, or "attempts exhausted: ...")
 * @param lastStatusCode the receiver's last HTTP status, when it answered
 * @param at when it was dead-lettered
 */
public record CallbackDeadLettered(
        CallbackRequested callback, String reason, @Nullable Integer lastStatusCode, Instant at) {}
