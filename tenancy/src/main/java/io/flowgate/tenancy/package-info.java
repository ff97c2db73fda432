/** What every service needs about tenants: the registry as read from Kafka. */
@NullMarked
package io.flowgate.tenancy;

import org.jspecify.annotations.NullMarked;
