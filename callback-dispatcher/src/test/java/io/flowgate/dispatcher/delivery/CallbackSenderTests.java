package io.flowgate.dispatcher.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.flowgate.webhooks.AddressRules;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The connect-time SSRF checks against a real receiver on 127.0.0.1. Test host names come from
 * src/test/resources/test-hosts (the JVM reads it instead of DNS, see the pom): {@code
 * loopback.flowgate.test} is the receiver's own address, {@code private.flowgate.test} 10.0.0.1.
 */
class CallbackSenderTests {

    private HttpServer receiver;
    private final AtomicInteger calls = new AtomicInteger();
    private int port;

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        receiver.createContext("/", exchange -> {
            calls.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            switch (exchange.getRequestURI().getPath()) {
                case "/redirect" -> {
                    exchange.getResponseHeaders().add("Location", "http://10.0.0.1/steal");
                    exchange.sendResponseHeaders(302, -1);
                }
                case "/big" -> {
                    byte[] chunk = "x".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
                    exchange.sendResponseHeaders(200, 0);
                    try (var out = exchange.getResponseBody()) {
                        for (int i = 0; i < 200; i++) {
                            out.write(chunk);
                        }
                    } catch (java.io.IOException e) {
                        // the sender stopped reading: expected
                    }
                }
                default -> exchange.sendResponseHeaders(204, -1);
            }
            exchange.close();
        });
        receiver.start();
        port = receiver.getAddress().getPort();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    private static CallbackSender sender(List<String> exempt) {
        return new CallbackSender(new AddressRules(exempt), Duration.ofSeconds(1), Duration.ofSeconds(2), 16 * 1024);
    }

    private CallbackSender.Answer post(CallbackSender sender, String url) {
        return sender.post(URI.create(url), Map.of(), "{}".getBytes(StandardCharsets.UTF_8))
                .block();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://127.0.0.1:%d/cb",
                "http://[::1]:%d/cb",
                "http://169.254.169.254:%d/latest/meta-data",
                "http://10.0.0.1:%d/cb",
                "http://private.flowgate.test:%d/cb",
                "http://metadata.flowgate.test:%d/cb",
                "http://loopback.flowgate.test:%d/cb"
            })
    void privateLoopbackAndMetadataAddressesAreRefusedBeforeConnecting(String url) {
        try (CallbackSender strict = sender(List.of())) {
            CallbackSender.Answer answer = post(strict, url.formatted(port));
            assertThat(answer.addressRefused()).as(answer.failure()).isTrue();
            assertThat(answer.status()).isNull();
            assertThat(answer.failure()).contains("address");
        }
        assertThat(calls).hasValue(0);
    }

    @Test
    void anExemptAddressIsReachedThroughItsName() {
        try (CallbackSender local = sender(List.of("127.0.0.1/32"))) {
            assertThat(post(local, "http://loopback.flowgate.test:%d/cb".formatted(port))
                            .status())
                    .isEqualTo(204);
        }
        assertThat(calls).hasValue(1);
    }

    @Test
    void redirectsAreNotFollowed() {
        try (CallbackSender local = sender(List.of("127.0.0.1/32"))) {
            CallbackSender.Answer answer = post(local, "http://127.0.0.1:%d/redirect".formatted(port));
            assertThat(answer.status()).isEqualTo(302);
        }
        assertThat(calls).hasValue(1);
    }

    @Test
    void onlyTheStartOfALargeAnswerIsRead() {
        try (CallbackSender local = sender(List.of("127.0.0.1/32"))) {
            assertThat(post(local, "http://127.0.0.1:%d/big".formatted(port)).status())
                    .isEqualTo(200);
        }
    }

    @Test
    void aClosedPortIsAConnectionFailureNotARefusal() throws Exception {
        int closed;
        try (var socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        try (CallbackSender local = sender(List.of("127.0.0.1/32"))) {
            CallbackSender.Answer answer = post(local, "http://127.0.0.1:%d/cb".formatted(closed));
            assertThat(answer.status()).isNull();
            assertThat(answer.addressRefused()).isFalse();
            assertThat(answer.failure()).isNotBlank();
        }
    }

    @Test
    void retryAfterIsReadInSecondsOrAsADate() {
        assertThat(CallbackSender.retryAfter("7")).isEqualTo(Duration.ofSeconds(7));
        assertThat(CallbackSender.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isEqualTo(Duration.ZERO);
        assertThat(CallbackSender.retryAfter("soon")).isNull();
        assertThat(CallbackSender.retryAfter(null)).isNull();
    }
}
