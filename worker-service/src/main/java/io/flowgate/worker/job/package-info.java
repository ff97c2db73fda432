/** Consuming jobs, running them, reporting status, honouring cancellation. */
@NullMarked
package io.flowgate.worker.job;

import org.jspecify.annotations.NullMarked;
