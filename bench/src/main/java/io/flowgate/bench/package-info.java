/** The benchmark harness: load generators, baseline servers, and the run that compares Flowgate with them. */
@NullMarked
package io.flowgate.bench;

import org.jspecify.annotations.NullMarked;
