/** Topic descriptors and the records that cross Flowgate's services; no business logic. */
@NullMarked
package io.flowgate.contracts;

import org.jspecify.annotations.NullMarked;
