/** Wiring: settings, Kafka topics and clients. */
@NullMarked
package io.flowgate.worker.config;

import org.jspecify.annotations.NullMarked;
