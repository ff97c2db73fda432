package io.flowgate.dispatcher;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** The callback-dispatcher. */
@SpringBootApplication
public class DispatcherApplication {

    /** Its configuration file is {@code callback-dispatcher.yml}, so the three services can share one JVM. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(DispatcherApplication.class)
                .properties("spring.config.name=callback-dispatcher");
    }

    static void main(String[] args) {
        builder().run(args);
    }
}
