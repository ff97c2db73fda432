package io.flowgate.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A service's {@link Readers} and the {@code readers} health indicator that reports them; each service
 * imports it ({@code @Import(ReadersConfig.class)}) and lists {@code readers} in its health groups.
 */
@Configuration(proxyBeanMethods = false)
public class ReadersConfig {

    @Bean
    Readers readers(MeterRegistry meters, ObjectProvider<ObservationRegistry> observations) {
        return new Readers(meters, observations.getIfAvailable(() -> ObservationRegistry.NOOP));
    }

    // The indicator's name is the bean's without the suffix: "readers".
    @Bean
    ReadersHealth readersHealthIndicator(Readers readers) {
        return new ReadersHealth(readers);
    }
}
