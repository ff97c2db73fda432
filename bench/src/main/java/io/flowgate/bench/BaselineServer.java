package io.flowgate.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Profile;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The ceilings' servers, with no Flowgate code in the path: a bare WebFlux endpoint that reads a small
 * JSON body and answers 202 with {@code Location} and {@code Retry-After} (profile {@code bare}), the
 * same behind Spring Security's RS256 resource server (profile {@code jwt}), and a callback receiver
 * answering 200 (profile {@code receiver}). Run as a process of its own, like the services.
 */
@SpringBootApplication(proxyBeanMethods = false)
class BaselineServer {

    private static final String NO_SECURITY = String.join(
            ",",
            "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration",
            "org.springframework.boot.security.oauth2.server.resource.autoconfigure.reactive.ReactiveOAuth2ResourceServerAutoConfiguration");

    /** {@code BaselineServer bare|jwt|receiver PORT [JWKS_URL AUDIENCE]}. */
    static void main(String[] args) {
        start(args[0], Integer.parseInt(args[1]), args.length > 2 ? args[2] : "", args.length > 3 ? args[3] : "");
    }

    static ConfigurableApplicationContext start(String mode, int port, String jwks, String audience) {
        var builder = new SpringApplicationBuilder(BaselineServer.class)
                .profiles(mode)
                .properties(Map.of(
                        "spring.config.name", "baseline",
                        "server.address", "127.0.0.1",
                        "logging.level.root", "WARN",
                        "baseline.jwks", jwks,
                        "baseline.audience", audience));
        if (!mode.equals("jwt")) {
            builder.properties(Map.of("spring.autoconfigure.exclude", NO_SECURITY));
        }
        return builder.run("--server.port=" + port);
    }

    @Bean
    RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route()
                .POST(
                        "/accept",
                        request -> request.bodyToMono(Map.class)
                                .flatMap(body -> ServerResponse.status(HttpStatus.ACCEPTED)
                                        .header("Location", "http://127.0.0.1/jobs/baseline")
                                        .header("Retry-After", "1")
                                        .bodyValue(Map.of("jobId", "baseline", "status", "ACCEPTED"))))
                .POST(
                        "/hook",
                        request -> request.bodyToMono(String.class)
                                .then(ServerResponse.ok().build()))
                .build();
    }

    @Bean
    @Profile("jwt")
    SecurityWebFilterChain bearerOnly(ServerHttpSecurity http, ReactiveJwtDecoder decoder) {
        return http.csrf(ServerHttpSecurity.CsrfSpec::disable)
                .authorizeExchange(ex -> ex.anyExchange().authenticated())
                .oauth2ResourceServer(rs -> rs.jwt(jwt -> jwt.jwtDecoder(decoder)))
                .build();
    }

    @Bean
    @Profile("jwt")
    ReactiveJwtDecoder jwtDecoder(
            @org.springframework.beans.factory.annotation.Value("${baseline.jwks}") String jwks,
            @org.springframework.beans.factory.annotation.Value("${baseline.audience}") String audience) {
        NimbusReactiveJwtDecoder decoder = NimbusReactiveJwtDecoder.withJwkSetUri(jwks)
                .jwsAlgorithm(SignatureAlgorithm.RS256)
                .build();
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(
                new JwtTimestampValidator(Duration.ofSeconds(60)),
                new JwtClaimValidator<List<String>>("aud", aud -> aud != null && aud.contains(audience))));
        return decoder;
    }
}
