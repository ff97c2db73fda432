package io.flowgate.systemtest;

import java.time.Duration;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.netty.http.client.HttpClient;

/**
 * HTTP clients for the tests. Each request opens its own connection: services restart on the same
 * port inside this JVM, and a pooled keep-alive connection to the previous instance would hang.
 */
final class Http {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private Http() {}

    static WebTestClient testClient(String baseUrl) {
        return WebTestClient.bindToServer(connector())
                .baseUrl(baseUrl)
                .responseTimeout(TIMEOUT)
                // Prometheus pages with per-partition Kafka metrics are larger than the default 256 KB.
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(16 * 1024 * 1024))
                .build();
    }

    static WebClient webClient() {
        return WebClient.builder().clientConnector(connector()).build();
    }

    private static ReactorClientHttpConnector connector() {
        return new ReactorClientHttpConnector(HttpClient.newConnection().responseTimeout(TIMEOUT));
    }
}
