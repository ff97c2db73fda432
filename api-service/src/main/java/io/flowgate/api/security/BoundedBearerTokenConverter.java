package io.flowgate.api.security;

import org.springframework.http.HttpHeaders;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.BearerTokenError;
import org.springframework.security.oauth2.server.resource.BearerTokenErrors;
import org.springframework.security.oauth2.server.resource.web.server.authentication.ServerBearerTokenAuthenticationConverter;
import org.springframework.security.web.server.authentication.ServerAuthenticationConverter;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Spring's bearer token extraction, refusing a token over a size limit before it is decoded or its
 * signature checked: real Entra ID access tokens stay well below it, and a huge one is only work
 * for the server.
 */
final class BoundedBearerTokenConverter implements ServerAuthenticationConverter {

    private final ServerBearerTokenAuthenticationConverter delegate = new ServerBearerTokenAuthenticationConverter();
    private final long maxTokenSize;

    BoundedBearerTokenConverter(long maxTokenSize) {
        this.maxTokenSize = maxTokenSize;
    }

    @Override
    public Mono<Authentication> convert(ServerWebExchange exchange) {
        String header = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (header != null && header.length() > maxTokenSize + "Bearer ".length()) {
            BearerTokenError error =
                    BearerTokenErrors.invalidToken("The bearer token is longer than " + maxTokenSize + " bytes.");
            return Mono.error(new OAuth2AuthenticationException(error));
        }
        return delegate.convert(exchange);
    }
}
