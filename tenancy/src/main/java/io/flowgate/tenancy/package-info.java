/** What every service needs about tenants: the registry and sealed tenant secrets. */
@NullMarked
package io.flowgate.tenancy;

import org.jspecify.annotations.NullMarked;
