/** The built-in operations: JSONata, JSON Schema validation, CSV to JSON, delay. */
@NullMarked
package io.flowgate.worker.operation.builtin;

import org.jspecify.annotations.NullMarked;
