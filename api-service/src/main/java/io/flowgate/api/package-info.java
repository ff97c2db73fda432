/** Flowgate's public API service. */
@NullMarked
package io.flowgate.api;

import org.jspecify.annotations.NullMarked;
