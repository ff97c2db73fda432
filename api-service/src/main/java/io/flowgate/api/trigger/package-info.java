/** Triggers: the catalog, the event index and the polling trigger (docs/triggers.md). */
@NullMarked
package io.flowgate.api.trigger;

import org.jspecify.annotations.NullMarked;
