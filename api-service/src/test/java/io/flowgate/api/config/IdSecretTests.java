package io.flowgate.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowgate.api.ApiApplication;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.io.ClassPathResource;

/**
 * The id secret keys every idempotent job id: api-service does not start without a real one, and
 * only the local profile supplies a development value.
 */
class IdSecretTests {

    @Test
    void withoutTheLocalProfileAndWithoutASecretApiServiceRefusesToStart() {
        assertThatThrownBy(() ->
                        ApiApplication.builder().run("--spring.main.web-application-type=none", "--server.port=0"))
                .hasRootCauseMessage(
                        "flowgate.api.id-secret is not set: set a long random secret (32 characters or more);"
                                + " only the local profile has a development value");
    }

    @Test
    void aShortSecretIsRefused() {
        assertThatThrownBy(() -> bind(Map.of("flowgate.api.id-secret", "short")))
                .hasRootCauseMessage("flowgate.api.id-secret is too short: use 32 characters or more");
    }

    @Test
    void theLocalProfileSuppliesALongEnoughDevelopmentSecret() throws Exception {
        var local = new YamlPropertySourceLoader()
                .load("local", new ClassPathResource("api-service-local.yml"))
                .getFirst();
        String secret = (String) local.getProperty("flowgate.api.id-secret");
        assertThat(bind(Map.of("flowgate.api.id-secret", secret)).idSecret()).isEqualTo(secret);
    }

    private static ApiProperties bind(Map<String, String> settings) {
        var all = new java.util.HashMap<>(settings);
        all.putIfAbsent("flowgate.api.public-base-url", "https://flowgate.example");
        return new Binder(new MapConfigurationPropertySource(all)).bindOrCreate("flowgate.api", ApiProperties.class);
    }
}
