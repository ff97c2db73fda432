/** Tenants: the registry, onboarding, quotas and the operator's admin API. */
@NullMarked
package io.flowgate.api.tenant;

import org.jspecify.annotations.NullMarked;
