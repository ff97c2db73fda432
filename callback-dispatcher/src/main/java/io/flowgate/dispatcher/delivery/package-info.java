/** Callback delivery: reading callbacks and retries from Kafka, attempts, retries, dead letters. */
@NullMarked
package io.flowgate.dispatcher.delivery;

import org.jspecify.annotations.NullMarked;
