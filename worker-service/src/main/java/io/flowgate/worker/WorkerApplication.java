package io.flowgate.worker;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The worker-service. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class WorkerApplication {

    /** Its configuration file is {@code worker-service.yml}, so the three services can share one JVM. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(WorkerApplication.class).properties("spring.config.name=worker-service");
    }

    static void main(String[] args) {
        builder().run(args);
    }
}
