/** The request's context in the API's logs: tenant and Logic Apps correlation headers. */
@NullMarked
package io.flowgate.api.logging;

import org.jspecify.annotations.NullMarked;
