package io.flowgate.api.tenant;

import io.flowgate.api.problem.BearerChallenge;
import io.flowgate.api.problem.FlowgateProblem;
import io.flowgate.api.problem.ProblemTypes;
import io.flowgate.api.problem.ProblemWriter;
import io.flowgate.contracts.TenantQuotas;
import io.flowgate.contracts.TenantRegistration;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The tenant's gate in front of {@code /api/v1}, after the token checks: the caller's tenant must be
 * registered (or is registered now, under open onboarding) and active, within its request rate, and
 * its body within its size limit. Each refusal is a problem answer, and nothing is written to Kafka
 * for a refused call (open onboarding writes the registration of a tenant that is then admitted).
 */
@Component
@Order(0) // after Spring Security's filter chain (order -100), so the principal is known
class TenantGate implements WebFilter {

    private final TenantRegistry registry;
    private final TenantProperties properties;
    private final RequestRateLimiter limiter;
    private final ProblemWriter problems;
    private final TenantRefusals refusals;

    TenantGate(
            TenantRegistry registry,
            TenantProperties properties,
            RequestRateLimiter limiter,
            ProblemWriter problems,
            TenantRefusals refusals) {
        this.registry = registry;
        this.properties = properties;
        this.limiter = limiter;
        this.problems = problems;
        this.refusals = refusals;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!exchange.getRequest().getPath().value().startsWith("/api/")) {
            return chain.filter(exchange);
        }
        return exchange.getPrincipal()
                .ofType(JwtAuthenticationToken.class)
                .map(auth -> Optional.of(Tenants.of(auth.getToken())))
                .defaultIfEmpty(Optional.empty())
                .flatMap(tenant -> tenant.isEmpty()
                        // not authenticated: the security chain has already answered
                        ? chain.filter(exchange)
                        : admit(exchange, chain, tenant.get()));
    }

    private Mono<Void> admit(ServerWebExchange exchange, WebFilterChain chain, String tenantId) {
        Optional<TenantRegistration> known = registry.find(tenantId);
        if (known.isPresent()) {
            return admitRegistered(exchange, chain, known.get());
        }
        if (properties.onboarding() == TenantProperties.Onboarding.OPEN) {
            return registry.onboard(tenantId)
                    .flatMap(entry -> admitRegistered(exchange, chain, entry))
                    .onErrorResume(FlowgateProblem.class, e -> refuse(exchange, tenantId, "unavailable", e));
        }
        refusals.refusedUnregistered();
        return unauthorized(exchange, "The tenant " + tenantId + " is not registered with this connector.");
    }

    private Mono<Void> admitRegistered(ServerWebExchange exchange, WebFilterChain chain, TenantRegistration entry) {
        switch (entry.status()) {
            case SUSPENDED -> {
                return forbidden(
                        exchange,
                        entry.tenantId(),
                        "suspended",
                        "The tenant is suspended; contact the connector's publisher.");
            }
            case OFFBOARDED -> {
                return forbidden(
                        exchange,
                        entry.tenantId(),
                        "offboarded",
                        "The tenant was offboarded; contact the connector's publisher.");
            }
            case ACTIVE -> {
                // go on
            }
        }
        TenantQuotas quotas = registry.quotasOf(entry);
        Duration wait = limiter.take(entry.tenantId(), quotas);
        if (!wait.isZero()) {
            return refuse(
                    exchange,
                    entry.tenantId(),
                    "rate",
                    FlowgateProblem.rateLimited(
                            "The tenant's request rate of " + quotas.requestsPerSecond()
                                    + " per second (burst " + quotas.burst() + ") is used up; retry after the"
                                    + " Retry-After interval.",
                            roundUp(wait)));
        }
        long maxBody = Objects.requireNonNull(quotas.maxBodyBytes());
        long length = exchange.getRequest().getHeaders().getContentLength();
        if (length > maxBody) {
            return refuse(exchange, entry.tenantId(), "body-size", tooLarge(length, maxBody));
        }
        return chain.filter(
                exchange.mutate().request(new BodyLimit(exchange, maxBody)).build());
    }

    private static FlowgateProblem tooLarge(long length, long maxBody) {
        return FlowgateProblem.payloadTooLarge(
                (length >= 0 ? "The request body has " + length + " bytes; " : "The request body is too large; ")
                        + "the tenant's limit is " + maxBody + " bytes.",
                null);
    }

    private static Duration roundUp(Duration wait) {
        long seconds = (wait.toMillis() + 999) / 1000;
        return Duration.ofSeconds(Math.max(1, seconds));
    }

    private Mono<Void> refuse(ServerWebExchange exchange, String tenantId, String reason, FlowgateProblem problem) {
        refusals.refused(tenantId, reason);
        return problems.write(exchange, problem);
    }

    private Mono<Void> unauthorized(ServerWebExchange exchange, String detail) {
        exchange.getResponse()
                .getHeaders()
                .set(HttpHeaders.WWW_AUTHENTICATE, BearerChallenge.of("invalid_token", detail));
        return problems.write(exchange, new FlowgateProblem(401, ProblemTypes.UNAUTHORIZED, "Unauthorized", detail));
    }

    private Mono<Void> forbidden(ServerWebExchange exchange, String tenantId, String reason, String detail) {
        exchange.getResponse()
                .getHeaders()
                .set(HttpHeaders.WWW_AUTHENTICATE, BearerChallenge.of("insufficient_scope", detail));
        return refuse(exchange, tenantId, reason, FlowgateProblem.tenantNotActive(detail));
    }

    /** Stops a body without a declared length once it passes the tenant's limit. */
    private static final class BodyLimit extends ServerHttpRequestDecorator {

        private final long maxBody;

        BodyLimit(ServerWebExchange exchange, long maxBody) {
            super(exchange.getRequest());
            this.maxBody = maxBody;
        }

        @Override
        public Flux<DataBuffer> getBody() {
            AtomicLong seen = new AtomicLong();
            return super.getBody().handle((buffer, sink) -> {
                if (seen.addAndGet(buffer.readableByteCount()) > maxBody) {
                    org.springframework.core.io.buffer.DataBufferUtils.release(buffer);
                    sink.error(tooLarge(-1, maxBody));
                } else {
                    sink.next(buffer);
                }
            });
        }
    }
}
