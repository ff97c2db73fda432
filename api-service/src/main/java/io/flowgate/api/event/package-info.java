/** Event ingestion: a tenant's own systems publish the events its triggers fire on. */
@NullMarked
package io.flowgate.api.event;

import org.jspecify.annotations.NullMarked;
