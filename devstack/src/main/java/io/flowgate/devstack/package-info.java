/** The one-command local stack: embedded Kafka, the local issuer and the three services. */
@NullMarked
package io.flowgate.devstack;

import org.jspecify.annotations.NullMarked;
