package io.flowgate.api.tenant;

import io.flowgate.api.config.CommandLog;
import io.flowgate.contracts.TenantQuotas;
import io.flowgate.contracts.TenantRegistration;
import io.flowgate.contracts.TenantStatus;
import io.flowgate.contracts.Topics;
import io.flowgate.tenancy.TenantDirectory;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * The tenant registry as the API uses it: look-ups from the {@link TenantDirectory}, changes written
 * to {@code flowgate.tenants} and taken into the directory once Kafka has them, and each tenant's
 * effective quotas (its overrides over its plan's).
 */
@Service
public class TenantRegistry {

    /** Who registers a tenant under open onboarding. */
    static final String SELF_SERVICE = "onboarding";

    private static final Logger log = LoggerFactory.getLogger(TenantRegistry.class);

    private final TenantDirectory directory;
    private final CommandLog commands;
    private final TenantProperties properties;
    private final Clock clock;
    private final Map<String, Mono<TenantRegistration>> onboarding = new ConcurrentHashMap<>();

    TenantRegistry(TenantDirectory directory, CommandLog commands, TenantProperties properties, Clock clock) {
        this.directory = directory;
        this.commands = commands;
        this.properties = properties;
        this.clock = clock;
    }

    /** The tenant's entry, if registered. */
    public Optional<TenantRegistration> find(String tenantId) {
        return directory.find(tenantId);
    }

    /** Every registered tenant. */
    public List<TenantRegistration> all() {
        return directory.all();
    }

    /** The tenant's quotas: its overrides over its plan's (the default plan's if unregistered). */
    public TenantQuotas quotasOf(String tenantId) {
        return find(tenantId).map(this::quotasOf).orElseGet(() -> planQuotas(properties.defaultPlan()));
    }

    /** The entry's quotas: its overrides over its plan's. */
    public TenantQuotas quotasOf(TenantRegistration entry) {
        return entry.quotas().over(planQuotas(entry.plan()));
    }

    private TenantQuotas planQuotas(String plan) {
        TenantProperties.Plan found = properties.plan(plan);
        if (found == null) {
            found = Objects.requireNonNull(
                    properties.plan(properties.defaultPlan()), "the default plan is always configured");
        }
        return found.quotas();
    }

    /** Whether {@code plan} is configured. */
    public boolean hasPlan(String plan) {
        return properties.plan(plan) != null;
    }

    /** The default plan's name. */
    public String defaultPlan() {
        return properties.defaultPlan();
    }

    /**
     * Registers a tenant on its first call under open onboarding. Concurrent first calls of one
     * tenant share one write.
     */
    Mono<TenantRegistration> onboard(String tenantId) {
        return onboarding
                .computeIfAbsent(tenantId, id -> {
                    var now = clock.instant();
                    var entry = new TenantRegistration(
                            id,
                            TenantStatus.ACTIVE,
                            properties.defaultPlan(),
                            TenantQuotas.none(),
                            now,
                            now,
                            SELF_SERVICE);
                    return save(entry)
                            .doOnSuccess(saved -> log.info("Tenant {} onboarded (open onboarding)", id))
                            .doFinally(signal -> onboarding.remove(id))
                            .cache();
                })
                .flatMap(written -> Mono.justOrEmpty(find(tenantId)).defaultIfEmpty(written));
    }

    /** Writes an entry and makes it visible to this replica at once. */
    public Mono<TenantRegistration> save(TenantRegistration entry) {
        return commands.write(Topics.TENANTS, entry.tenantId(), entry)
                .then(Mono.fromRunnable(() -> directory.written(entry)))
                .thenReturn(entry);
    }
}
