package io.flowgate.api.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.flowgate.api.config.ApiProperties;
import io.flowgate.api.event.EventService;
import io.flowgate.api.job.TenantJobs;
import io.flowgate.api.problem.FlowgateProblem;
import io.flowgate.api.problem.InvalidRequest;
import io.flowgate.api.problem.ProblemTypes;
import io.flowgate.api.subscription.TenantSubscriptions;
import io.flowgate.api.tenant.TenantRegistry;
import io.flowgate.contracts.TenantQuotas;
import io.flowgate.contracts.TenantRegistration;
import io.flowgate.contracts.TenantStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code /admin/v1/tenants}: the operator registers, limits, suspends, resumes and offboards tenants.
 * Only tokens of the operator's own tenant with the operator app role get here (see SecurityConfig).
 */
@RestController
class TenantAdminController {

    private static final Logger log = LoggerFactory.getLogger(TenantAdminController.class);
    private static final Pattern TENANT_ID =
            Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

    private final TenantRegistry registry;
    private final TenantJobs jobs;
    private final TenantSubscriptions subscriptions;
    private final EventService events;
    private final ApiProperties api;
    private final Clock clock;

    TenantAdminController(
            TenantRegistry registry,
            TenantJobs jobs,
            TenantSubscriptions subscriptions,
            EventService events,
            ApiProperties api,
            Clock clock) {
        this.registry = registry;
        this.subscriptions = subscriptions;
        this.events = events;
        this.jobs = jobs;
        this.api = api;
        this.clock = clock;
    }

    /**
     * A registration or a change of plan and quotas.
     *
     * @param plan the plan; the default plan when absent
     * @param quotas overrides of the plan's quotas; none when absent
     */
    record TenantChange(@Nullable String plan, @Nullable TenantQuotas quotas) {}

    @GetMapping(path = "/admin/v1/tenants", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<Tenants> list() {
        return Flux.fromIterable(registry.all().stream()
                        .sorted(Comparator.comparing(TenantRegistration::tenantId))
                        .toList())
                .concatMap(this::view)
                .collectList()
                .map(Tenants::new);
    }

    @GetMapping(path = "/admin/v1/tenants/{tenantId}", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<Tenant> read(@PathVariable String tenantId) {
        return Mono.defer(() -> view(existing(tenantId)));
    }

    @PutMapping(
            path = "/admin/v1/tenants/{tenantId}",
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<Tenant>> register(
            @AuthenticationPrincipal Jwt operator, @PathVariable String tenantId, @RequestBody TenantChange change) {
        checkTenantId(tenantId);
        String plan = change.plan() != null ? change.plan() : registry.defaultPlan();
        TenantQuotas quotas = change.quotas() != null ? change.quotas() : TenantQuotas.none();
        checkPlan(plan);
        checkQuotas(quotas);
        Instant now = clock.instant();
        TenantRegistration current = registry.find(tenantId).orElse(null);
        boolean created = current == null || current.status() == TenantStatus.OFFBOARDED;
        TenantRegistration next;
        if (current == null || created) {
            next = new TenantRegistration(tenantId, TenantStatus.ACTIVE, plan, quotas, now, now, by(operator));
        } else {
            next = new TenantRegistration(
                    tenantId, current.status(), plan, quotas, current.registeredAt(), now, by(operator));
        }
        return registry.save(next).flatMap(saved -> {
            log.info(
                    "Tenant {} {} by operator {} (plan {})",
                    tenantId,
                    created ? "registered" : "updated",
                    by(operator),
                    plan);
            return view(saved)
                    .map(tenant -> ResponseEntity.status(created ? HttpStatus.CREATED : HttpStatus.OK)
                            .body(tenant));
        });
    }

    @PostMapping(path = "/admin/v1/tenants/{tenantId}/suspend", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<Tenant> suspend(@AuthenticationPrincipal Jwt operator, @PathVariable String tenantId) {
        return changeStatus(operator, tenantId, TenantStatus.SUSPENDED);
    }

    @PostMapping(path = "/admin/v1/tenants/{tenantId}/resume", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<Tenant> resume(@AuthenticationPrincipal Jwt operator, @PathVariable String tenantId) {
        return changeStatus(operator, tenantId, TenantStatus.ACTIVE);
    }

    /**
     * Offboards the tenant: marks it offboarded (its calls are refused from now on, and every service
     * drops its late records), then purges its subscriptions, its jobs and its event streams.
     * Idempotent: offboarding again purges again.
     */
    @DeleteMapping(path = "/admin/v1/tenants/{tenantId}", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<Tenant> offboard(@AuthenticationPrincipal Jwt operator, @PathVariable String tenantId) {
        TenantRegistration current = existing(tenantId);
        Mono<TenantRegistration> marked = current.status() == TenantStatus.OFFBOARDED
                ? Mono.just(current)
                : registry.save(current.withStatus(TenantStatus.OFFBOARDED, clock.instant(), by(operator)));
        // Subscriptions first: once they are gone the dispatcher drops every callback of the tenant,
        // including those of the jobs the purge cancels.
        return marked.flatMap(entry -> subscriptions
                .purge(tenantId)
                .flatMap(removed -> jobs.purge(tenantId)
                        .flatMap(purge -> events.purge(tenantId).flatMap(streams -> {
                            log.info("Tenant {} offboarded by operator {}", tenantId, by(operator));
                            return view(entry)
                                    .map(tenant -> tenant.withPurged(
                                            new Purged(purge.jobs(), purge.cancelled(), removed, streams)));
                        }))));
    }

    private Mono<Tenant> changeStatus(Jwt operator, String tenantId, TenantStatus next) {
        TenantRegistration current = existing(tenantId);
        if (current.status() == TenantStatus.OFFBOARDED) {
            throw new FlowgateProblem(
                    409,
                    ProblemTypes.INVALID_TENANT_CHANGE,
                    "Tenant offboarded",
                    "The tenant was offboarded; register it again with PUT to serve it.");
        }
        if (current.status() == next) {
            return view(current);
        }
        return registry.save(current.withStatus(next, clock.instant(), by(operator)))
                .flatMap(saved -> {
                    log.info("Tenant {} now {} (operator {})", tenantId, next, by(operator));
                    return view(saved);
                });
    }

    private TenantRegistration existing(String tenantId) {
        checkTenantId(tenantId);
        return registry.find(tenantId)
                .orElseThrow(() -> new FlowgateProblem(
                        404,
                        ProblemTypes.TENANT_NOT_FOUND,
                        "Tenant not found",
                        "The tenant " + tenantId + " is not registered."));
    }

    /** A tenant as operators see it. */
    record Tenant(
            String tenantId,
            TenantStatus status,
            String plan,
            TenantQuotas quotas,
            TenantQuotas effectiveQuotas,
            Usage usage,
            Instant registeredAt,
            Instant updatedAt,
            String changedBy,

            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable
            Purged purged) {

        Tenant withPurged(Purged what) {
            return new Tenant(
                    tenantId, status, plan, quotas, effectiveQuotas, usage, registeredAt, updatedAt, changedBy, what);
        }
    }

    /** What the tenant uses now. */
    record Usage(int jobsInFlight, int subscriptions) {}

    /** What offboarding removed. */
    record Purged(int jobs, int cancelled, int subscriptions, int eventStreams) {}

    /** Every tenant, OData style. */
    record Tenants(List<Tenant> value) {}

    /** The tenant as operators see it, with its usage summed over every api-service replica. */
    private Mono<Tenant> view(TenantRegistration entry) {
        return Mono.zip(jobs.inFlight(entry.tenantId()), subscriptions.active(entry.tenantId()), Usage::new)
                .map(usage -> new Tenant(
                        entry.tenantId(),
                        entry.status(),
                        entry.plan(),
                        entry.quotas(),
                        registry.quotasOf(entry),
                        usage,
                        entry.registeredAt(),
                        entry.updatedAt(),
                        entry.changedBy(),
                        null));
    }

    private static String by(Jwt operator) {
        String oid = operator.getClaimAsString("oid");
        return oid != null ? oid : java.util.Objects.requireNonNullElse(operator.getSubject(), "unknown");
    }

    private static void checkTenantId(String tenantId) {
        if (!TENANT_ID.matcher(tenantId).matches()) {
            throw invalid("'" + tenantId + "' is not an Entra ID tenant id (a lower-case GUID).");
        }
    }

    private void checkPlan(String plan) {
        if (!registry.hasPlan(plan)) {
            throw invalid("There is no plan named '" + plan + "'.");
        }
    }

    private void checkQuotas(TenantQuotas quotas) {
        List<String> wrong = new ArrayList<>();
        positive("requestsPerSecond", quotas.requestsPerSecond(), wrong);
        positive("burst", quotas.burst(), wrong);
        positive("jobsInFlight", quotas.jobsInFlight(), wrong);
        positive("subscriptions", quotas.subscriptions(), wrong);
        Long maxBody = quotas.maxBodyBytes();
        long cap = api.maxBodySize().toBytes();
        if (maxBody != null && (maxBody <= 0 || maxBody > cap)) {
            wrong.add("maxBodyBytes must be between 1 and " + cap + " (flowgate.api.max-body-size)");
        }
        if (!wrong.isEmpty()) {
            throw invalid("Invalid quotas: " + String.join("; ", wrong) + ".");
        }
    }

    private static void positive(String name, @Nullable Integer value, List<String> wrong) {
        if (value != null && value <= 0) {
            wrong.add(name + " must be positive");
        }
    }

    private static InvalidRequest invalid(String detail) {
        return new InvalidRequest(ProblemTypes.INVALID_TENANT_CHANGE, "Invalid tenant change", detail);
    }
}
