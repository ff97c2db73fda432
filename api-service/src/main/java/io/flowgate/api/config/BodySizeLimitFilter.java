package io.flowgate.api.config;

import io.flowgate.api.problem.FlowgateProblem;
import io.flowgate.api.problem.ProblemWriter;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Rejects a body whose declared length is over the limit with 413 before reading it. Bodies
 * without a length are capped by the codecs' in-memory limit (same size), which also answers 413.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class BodySizeLimitFilter implements WebFilter {

    private final long limit;
    private final ProblemWriter problems;

    BodySizeLimitFilter(ApiProperties properties, ProblemWriter problems) {
        this.limit = properties.maxBodySize().toBytes();
        this.problems = problems;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        long length = exchange.getRequest().getHeaders().getContentLength();
        if (length > limit) {
            return problems.write(
                    exchange,
                    FlowgateProblem.payloadTooLarge(
                            "The request body has " + length + " bytes; at most " + limit + " are accepted.", null));
        }
        return chain.filter(exchange);
    }
}
