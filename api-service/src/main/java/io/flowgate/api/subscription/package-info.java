/** The webhook action (PROTOCOL.md rules 13-16 and 27): subscribe, read, unsubscribe, delivery attempts. */
@NullMarked
package io.flowgate.api.subscription;

import org.jspecify.annotations.NullMarked;
