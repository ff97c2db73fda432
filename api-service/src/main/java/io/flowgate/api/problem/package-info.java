/** RFC 9457 problem answers for every error. */
@NullMarked
package io.flowgate.api.problem;

import org.jspecify.annotations.NullMarked;
