package io.flowgate.api.security;

import io.flowgate.api.problem.FlowgateProblem;
import io.flowgate.api.problem.ProblemWriter;
import java.time.Duration;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.WebFilterExchange;
import org.springframework.security.web.server.authentication.ServerAuthenticationFailureHandler;
import reactor.core.publisher.Mono;

/**
 * A token that could not be checked because the signing keys are unavailable is the service's
 * fault, not the caller's: 503 with {@code Retry-After}. Every other failure is the usual 401.
 */
final class ProblemAuthenticationFailureHandler implements ServerAuthenticationFailureHandler {

    private final ServerAuthenticationEntryPoint unauthorized;
    private final ProblemWriter problems;
    private final Duration retryAfter;

    ProblemAuthenticationFailureHandler(
            ServerAuthenticationEntryPoint unauthorized, ProblemWriter problems, Duration retryAfter) {
        this.unauthorized = unauthorized;
        this.problems = problems;
        this.retryAfter = retryAfter;
    }

    @Override
    public Mono<Void> onAuthenticationFailure(WebFilterExchange exchange, AuthenticationException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TokenSigningKeys.SigningKeysUnavailable) {
                return problems.write(
                        exchange.getExchange(),
                        FlowgateProblem.temporarilyUnavailable(
                                "The keys that check bearer tokens cannot be fetched from Entra ID right now;"
                                        + " nothing was done. Retry later.",
                                retryAfter,
                                t));
            }
        }
        return unauthorized.commence(exchange.getExchange(), e);
    }
}
