package io.flowgate.api.security;

import com.github.benmanes.caffeine.cache.Ticker;
import io.flowgate.api.problem.ProblemWriter;
import io.flowgate.api.tenant.TenantProperties;
import io.flowgate.api.tenant.Tenants;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.authorization.ReactiveAuthorizationManager;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.oauth2.server.resource.authentication.JwtGrantedAuthoritiesConverter;
import org.springframework.security.oauth2.server.resource.authentication.ReactiveJwtAuthenticationConverterAdapter;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.authorization.AuthorizationContext;

/**
 * One filter chain: {@code /api/**} needs an Entra ID bearer token with the delegated scope,
 * {@code /admin/**} the operator app role from the operator's tenant; health and metrics are open.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
class SecurityConfig {

    @Bean
    SecurityWebFilterChain securityFilterChain(
            ServerHttpSecurity http,
            ReactiveJwtDecoder decoder,
            ProblemWriter problems,
            SecurityProperties properties,
            TenantProperties tenants) {
        var unauthorized = new ProblemAuthenticationEntryPoint(problems);
        return http.csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .requestCache(ServerHttpSecurity.RequestCacheSpec::disable)
                .authorizeExchange(ex -> ex.pathMatchers(
                                "/actuator/health/**", "/actuator/health", "/actuator/prometheus", "/actuator/info")
                        .permitAll()
                        // Event ingestion is a service call: an app role, not a delegated scope.
                        .pathMatchers("/api/v1/events")
                        .hasAuthority("APPROLE_" + properties.eventsRole())
                        .pathMatchers("/api/**")
                        // Spring maps each scp entry to a SCOPE_ authority.
                        .hasAuthority("SCOPE_" + properties.requiredScope())
                        .pathMatchers("/admin/**")
                        .access(operatorOnly(tenants))
                        .anyExchange()
                        .denyAll())
                .oauth2ResourceServer(rs -> rs.bearerTokenConverter(new BoundedBearerTokenConverter(
                                properties.maxTokenSize().toBytes()))
                        .jwt(jwt -> jwt.jwtDecoder(decoder).jwtAuthenticationConverter(authorities()))
                        .authenticationEntryPoint(unauthorized)
                        .authenticationFailureHandler(new ProblemAuthenticationFailureHandler(
                                unauthorized, problems, properties.jwks().retryAfter()))
                        .accessDeniedHandler(new ProblemAccessDeniedHandler(problems)))
                .build();
    }

    /**
     * Administration: the operator app role, in a token of the operator's own tenant. A tenant can
     * define an app role of the same name in its own directory, so the role alone is not enough.
     */
    private static ReactiveAuthorizationManager<AuthorizationContext> operatorOnly(TenantProperties tenants) {
        String role = "APPROLE_" + tenants.operatorRole();
        String operatorTenant = tenants.operatorTenantId();
        return (authentication, context) -> authentication
                .filter(Authentication::isAuthenticated)
                .filter(auth -> auth instanceof JwtAuthenticationToken jwt
                        && operatorTenant != null
                        && operatorTenant.equals(Tenants.of(jwt.getToken())))
                .map(auth -> auth.getAuthorities().stream().anyMatch(a -> role.equals(a.getAuthority())))
                .map(granted -> (AuthorizationResult) new AuthorizationDecision(granted))
                .defaultIfEmpty(new AuthorizationDecision(false));
    }

    /** {@code scp} entries become {@code SCOPE_} authorities, {@code roles} entries {@code APPROLE_} ones. */
    private static ReactiveJwtAuthenticationConverterAdapter authorities() {
        var scopes = new JwtGrantedAuthoritiesConverter();
        scopes.setAuthoritiesClaimName("scp");
        scopes.setAuthorityPrefix("SCOPE_");
        var roles = new JwtGrantedAuthoritiesConverter();
        roles.setAuthoritiesClaimName("roles");
        roles.setAuthorityPrefix("APPROLE_");
        var converter = new JwtAuthenticationConverter();
        converter.setJwtGrantedAuthoritiesConverter(jwt -> {
            List<GrantedAuthority> all = new ArrayList<>(scopes.convert(jwt));
            all.addAll(roles.convert(jwt));
            return all;
        });
        return new ReactiveJwtAuthenticationConverterAdapter(converter);
    }

    @Bean
    TokenSigningKeys tokenSigningKeys(SecurityProperties properties) {
        return new TokenSigningKeys(properties.effectiveJwksUri(), properties.jwks());
    }

    /** The full check of {@link #decoder}, behind a cache of the tokens that passed it. */
    @Bean
    ReactiveJwtDecoder jwtDecoder(SecurityProperties properties, TokenSigningKeys keys, MeterRegistry meters) {
        SecurityProperties.TokenCache cache = properties.tokenCache();
        if (cache.maxTokens() == 0) {
            return decoder(properties, keys);
        }
        return new VerifiedTokenCache(
                        decoder(properties, keys),
                        cache.maxTokens(),
                        cache.maxAge(),
                        Clock.systemUTC(),
                        Ticker.systemTicker())
                .bindTo(meters);
    }

    /**
     * RS256 tokens signed by one of {@code keys}, with an {@code exp} (Spring's timestamp check
     * passes a token without one), not expired, from the issuer of their own tenant, for one of
     * Flowgate's audiences.
     */
    static ReactiveJwtDecoder decoder(SecurityProperties properties, TokenSigningKeys keys) {
        NimbusReactiveJwtDecoder decoder = NimbusReactiveJwtDecoder.withJwkSource(keys::keysFor)
                .jwsAlgorithm(SignatureAlgorithm.RS256)
                .build();
        List<String> audiences = properties.audiences();
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(
                new JwtClaimValidator<Instant>(JwtClaimNames.EXP, Objects::nonNull),
                new JwtTimestampValidator(properties.clockSkew()),
                new TenantIssuerValidator(properties),
                new JwtClaimValidator<List<String>>(
                        "aud", aud -> aud != null && aud.stream().anyMatch(audiences::contains))));
        // Spring passes a failure of the key source on as an IllegalStateException, which would
        // end as a 500; the authentication failure handler answers it 503 instead.
        return token -> decoder.decode(token).onErrorMap(TokenSigningKeys::unavailableCause);
    }
}
