/** Wiring: settings, Kafka topics and clients, JSON limits. */
@NullMarked
package io.flowgate.api.config;

import org.jspecify.annotations.NullMarked;
