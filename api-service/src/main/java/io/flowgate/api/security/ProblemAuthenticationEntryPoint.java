package io.flowgate.api.security;

import io.flowgate.api.problem.BearerChallenge;
import io.flowgate.api.problem.ProblemTypes;
import io.flowgate.api.problem.ProblemWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * 401 with an RFC 6750 {@code WWW-Authenticate: Bearer ...} header and a problem body. Spring's
 * bearer entry point sets the same header but completes the response without a body.
 */
final class ProblemAuthenticationEntryPoint implements ServerAuthenticationEntryPoint {

    private final ProblemWriter problems;

    ProblemAuthenticationEntryPoint(ProblemWriter problems) {
        this.problems = problems;
    }

    @Override
    public Mono<Void> commence(ServerWebExchange exchange, AuthenticationException e) {
        Map<String, String> params = new LinkedHashMap<>();
        String detail = "A valid Entra ID bearer token is required.";
        if (e instanceof OAuth2AuthenticationException oauth) {
            OAuth2Error error = oauth.getError();
            params.put("error", error.getErrorCode());
            if (error.getDescription() != null) {
                params.put("error_description", error.getDescription());
                detail = "The bearer token was rejected: " + error.getDescription();
            }
        }
        exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, BearerChallenge.of(params));
        return problems.write(exchange, HttpStatus.UNAUTHORIZED, ProblemTypes.UNAUTHORIZED, "Unauthorized", detail);
    }
}
