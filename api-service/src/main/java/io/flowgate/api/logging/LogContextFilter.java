package io.flowgate.api.logging;

import io.flowgate.api.job.JobController;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Puts the request's log fields ({@link LogContext}) into its Reactor context: the Logic Apps
 * correlation headers ({@code x-ms-client-tracking-id}, {@code x-ms-workflow-run-id}, ...; each at
 * most 256 characters, as carried into jobs) and, once the token is checked, the tenant id. Runs
 * after Spring Security's filter chain has authenticated the request (a plain filter ordered after it).
 */
@Component
@Order(Ordered.LOWEST_PRECEDENCE)
public class LogContextFilter implements WebFilter {

    public LogContextFilter() {
        LogContext.register();
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        Map<String, String> fields = new LinkedHashMap<>(
                JobController.correlation(exchange.getRequest().getHeaders()));
        return exchange.getPrincipal()
                .doOnNext(principal -> {
                    if (principal instanceof JwtAuthenticationToken token
                            && token.getToken().getClaimAsString("tid") instanceof String tenant) {
                        fields.put("tenantId", tenant);
                    }
                })
                .then(Mono.defer(() -> chain.filter(exchange)
                        .contextWrite(context ->
                                fields.isEmpty() ? context : context.put(LogContext.KEY, Map.copyOf(fields)))));
    }
}
