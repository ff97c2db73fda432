/** A local look-alike of Entra ID's token issuer, for the local stack and the tests. */
@NullMarked
package io.flowgate.issuer;

import org.jspecify.annotations.NullMarked;
