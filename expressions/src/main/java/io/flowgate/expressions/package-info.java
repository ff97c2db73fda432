/** Tenants' JSONata expressions within limits: {@link io.flowgate.expressions.GuardedJsonata}. */
@NullMarked
package io.flowgate.expressions;

import org.jspecify.annotations.NullMarked;
