package io.flowgate.tenancy;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.StreamSupport;

/**
 * Keeps the {@code tenant} tag of Flowgate's per-tenant meters bounded: the first {@code limit}
 * tenants seen keep their own series, later ones are counted under {@code tenant="other"}, so a
 * service with many tenants cannot grow Prometheus without bound while the dashboards' "top
 * tenants" panels still name the large ones (which, being busy, are seen early). Micrometer's own
 * {@code MeterFilter.maximumAllowableTags} drops the meters beyond the limit instead of folding them
 * in, which would lose their counts; hence this small filter.
 */
public final class BoundedTenantTag implements MeterFilter {

    /** The tag it bounds. */
    public static final String TAG = "tenant";

    /** The value that tenants beyond the limit are counted under. */
    public static final String OTHER = "other";

    private final int limit;
    private final Set<String> named = ConcurrentHashMap.newKeySet();

    public BoundedTenantTag(int limit) {
        this.limit = limit;
    }

    @Override
    public Meter.Id map(Meter.Id id) {
        String tenant = id.getTag(TAG);
        if (tenant == null || tenant.isEmpty() || tenant.equals(OTHER) || named.contains(tenant)) {
            return id;
        }
        synchronized (named) {
            if (named.contains(tenant) || (named.size() < limit && named.add(tenant))) {
                return id;
            }
        }
        return id.replaceTags(StreamSupport.stream(id.getTagsAsIterable().spliterator(), false)
                .map(tag -> tag.getKey().equals(TAG) ? Tag.of(TAG, OTHER) : tag)
                .toList());
    }
}
