/** The operator's administration API. */
@NullMarked
package io.flowgate.api.admin;

import org.jspecify.annotations.NullMarked;
