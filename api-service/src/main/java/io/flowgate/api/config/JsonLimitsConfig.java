package io.flowgate.api.config;

import org.springframework.boot.jackson.autoconfigure.JsonFactoryBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.core.StreamReadConstraints;

/** Bounds the JSON nesting depth the parser accepts (deeper documents are a 400). */
@Configuration(proxyBeanMethods = false)
class JsonLimitsConfig {

    @Bean
    JsonFactoryBuilderCustomizer jsonDepthLimit(ApiProperties properties) {
        return builder -> builder.streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(properties.maxJsonDepth())
                .build());
    }
}
