package io.flowgate.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.io.ClassPathResource;

/**
 * Every {@code Location} the engine follows, with the flow's token, is built on the public base
 * URL: outside the local profile it must be set, https, and not this machine.
 */
class PublicBaseUrlTests {

    private static ApiProperties bind(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.put("flowgate.api.id-secret", "a-test-id-secret-0123456789abcdef0123");
        return new Binder(new MapConfigurationPropertySource(all)).bindOrCreate("flowgate.api", ApiProperties.class);
    }

    @Test
    void withoutOneTheServiceRefusesToStart() {
        assertThatThrownBy(() -> bind(Map.of()))
                .rootCause()
                .hasMessageStartingWith("flowgate.api.public-base-url is not set");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://flowgate.example.com", "ftp://flowgate.example.com"})
    void aPlainHttpAddressIsRefused(String url) {
        assertThatThrownBy(() -> bind(Map.of("flowgate.api.public-base-url", url)))
                .rootCause()
                .hasMessageContaining("must be an https address");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"https://localhost:8443", "https://127.0.0.1", "https://[::1]:8443", "https://api.localhost"})
    void anAddressOfThisMachineIsRefused(String url) {
        assertThatThrownBy(() -> bind(Map.of("flowgate.api.public-base-url", url)))
                .rootCause()
                .hasMessageContaining("names this machine");
    }

    @Test
    void aPublicHttpsAddressIsTakenAndLocationsAreBuiltOnIt() {
        ApiProperties properties = bind(Map.of("flowgate.api.public-base-url", "https://flowgate.example.com/"));
        assertThat(properties.publicUrl("/api/v1/jobs/j1")).hasToString("https://flowgate.example.com/api/v1/jobs/j1");
    }

    @Test
    void theLocalProfileAloneAllowsPlainHttpOnThisMachine() throws Exception {
        var local = new YamlPropertySourceLoader()
                .load("local", new ClassPathResource("api-service-local.yml"))
                .getFirst();
        ApiProperties properties = bind(Map.of(
                "flowgate.api.public-base-url",
                String.valueOf(local.getProperty("flowgate.api.public-base-url")),
                "flowgate.api.allow-insecure-public-base-url",
                String.valueOf(local.getProperty("flowgate.api.allow-insecure-public-base-url"))));
        assertThat(properties.publicBaseUrl()).hasToString("http://127.0.0.1:8080");
    }
}
