package io.flowgate.api.config;

import io.flowgate.api.replica.InternalAuth;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The credential api-service replicas present to each other on their internal ports. */
@Configuration(proxyBeanMethods = false)
class ReplicaConfig {

    @Bean
    InternalAuth internalAuth(ApiProperties properties) {
        return new InternalAuth(properties.idSecret());
    }
}
