/** The webhook action (docs/callbacks.md): subscribe, read, unsubscribe, delivery attempts. */
@NullMarked
package io.flowgate.api.subscription;

import org.jspecify.annotations.NullMarked;
