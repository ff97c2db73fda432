/** The operation handler SPI and the announcement of the catalog. */
@NullMarked
package io.flowgate.worker.operation;

import org.jspecify.annotations.NullMarked;
