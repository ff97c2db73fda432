/** Flowgate's worker-service: runs jobs through operation handlers. */
@NullMarked
package io.flowgate.worker;

import org.jspecify.annotations.NullMarked;
