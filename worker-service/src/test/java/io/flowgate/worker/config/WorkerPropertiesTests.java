package io.flowgate.worker.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;

/** The worker's settings are checked at start-up: a value that makes no sense stops it, saying which. */
class WorkerPropertiesTests {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(WorkerProperties.class)
    static class Settings {}

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(Settings.class);

    @Test
    void theDefaultsStart() {
        runner.run(context -> assertThat(context).hasNotFailed().hasSingleBean(WorkerProperties.class));
    }

    @Test
    void noJobSlotsOrAZeroPollStopStartUpNamingTheSetting() {
        runner.withPropertyValues("flowgate.worker.max-concurrent-jobs=0")
                .run(context -> assertThat(context).getFailure().rootCause().hasMessageContaining("maxConcurrentJobs"));
        runner.withPropertyValues("flowgate.worker.poll-timeout=0s")
                .run(context -> assertThat(context).getFailure().rootCause().hasMessageContaining("pollTimeout"));
    }
}
