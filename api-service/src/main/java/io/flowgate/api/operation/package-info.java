/** The catalog of operations the workers announce. */
@NullMarked
package io.flowgate.api.operation;

import org.jspecify.annotations.NullMarked;
