package io.flowgate.api;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The api-service: the only public surface of Flowgate. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ApiApplication {

    /** Its configuration file is {@code api-service.yml}, so the three services can share one JVM. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(ApiApplication.class).properties("spring.config.name=api-service");
    }

    static void main(String[] args) {
        builder().run(args);
    }
}
