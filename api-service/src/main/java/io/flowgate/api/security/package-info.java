/** Entra ID token validation and the tenant of a request. */
@NullMarked
package io.flowgate.api.security;

import org.jspecify.annotations.NullMarked;
