package io.flowgate.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import io.flowgate.devstack.LocalStack;
import io.flowgate.issuer.DemoTenants;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Captures every log line of all services during a full flow (submit, poll, cancel, a refused token,
 * administration, a webhook action whose callback is retried once) with Flowgate's own loggers at
 * DEBUG, and finds no bearer token, no callback URL and no {@code sig} value in any of them.
 */
class SecretsInLogsSystemTests {

    private static final String SIG = "s3cr3t-signature-value";
    private static final String CALLBACK_PATH = "/workflows/secret-callback-path";

    private final Receiver receiver = new Receiver();

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    @Test
    void noTokenAndNoSignatureEverReachesTheLogs() {
        LocalStack stack = SharedStack.get();
        WebTestClient api = Http.testClient(stack.apiUrl());
        String contoso = Tokens.fetch(stack, DemoTenants.CONTOSO_CLIENT);
        await().atMost(Duration.ofSeconds(60)).until(() -> Catalog.catalogHas(api, contoso));
        String forged = contoso.substring(0, contoso.lastIndexOf('.') + 1) + "AAAA";
        Admin admin = new Admin(stack);

        String subscription;
        List<ILoggingEvent> events;
        try (var logs = new CapturedLogs()) {
            var accepted = api.post()
                    .uri("/api/v1/operations/delay?sig={sig}", SIG)
                    .headers(h -> {
                        h.setBearerAuth(contoso);
                        h.add("Prefer", "respond-async");
                        h.add("x-ms-workflow-run-id", "run-1");
                    })
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{\"seconds\":30,\"callback\":\"https://example.test/cb?sig=" + SIG + "\"}")
                    .exchange()
                    .expectStatus()
                    .isAccepted()
                    .returnResult(String.class);
            String job = accepted.getResponseHeaders().getLocation().getPath();
            api.get()
                    .uri(job)
                    .headers(h -> h.setBearerAuth(contoso))
                    .exchange()
                    .expectStatus()
                    .isAccepted();
            api.delete()
                    .uri(job)
                    .headers(h -> h.setBearerAuth(contoso))
                    .exchange()
                    .expectStatus()
                    .isNoContent();
            api.get()
                    .uri("/api/v1/operations")
                    .headers(h -> h.setBearerAuth(forged))
                    .exchange()
                    .expectStatus()
                    .isUnauthorized();
            admin.get(DemoTenants.CONTOSO).expectStatus().isOk();

            // A webhook action, its callback failing once then delivered, read and removed.
            receiver.script(CALLBACK_PATH, 500, 200);
            subscription =
                    Subscriptions.subscribed(contoso, "jsonata-transform", receiver.url(CALLBACK_PATH, SIG), """
                            {"expression":"a","document":{"a":1}}""");
            receiver.await(CALLBACK_PATH, 2, Duration.ofSeconds(30));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> Subscriptions.deliveries(contoso, subscription).size() == 2);
            Subscriptions.get(contoso, subscription);
            Subscriptions.delete(contoso, subscription);
            events = logs.events();
        }

        List<String> lines = events.stream()
                .map(e -> e.getFormattedMessage() + " " + Map.copyOf(e.getMDCPropertyMap())
                        + (e.getThrowableProxy() != null ? ThrowableProxyUtil.asString(e.getThrowableProxy()) : ""))
                .toList();
        assertThat(lines).as("the flow was logged").anyMatch(line -> line.contains("Accepted job"));
        assertThat(lines).as("the callback was logged").anyMatch(line -> line.contains("attempt 2 delivered"));
        // The log context (fields of the structured logs) follows the work across the services.
        assertThat(events)
                .as("the worker's job log carries the job, its tenant and the flow's run id")
                .anyMatch(e -> e.getLoggerName().startsWith("io.flowgate.worker")
                        && "run-1".equals(e.getMDCPropertyMap().get("x-ms-workflow-run-id"))
                        && e.getMDCPropertyMap().containsKey("jobId")
                        && DemoTenants.CONTOSO.equals(e.getMDCPropertyMap().get("tenantId")));
        String subscriptionId = subscription.substring(subscription.lastIndexOf('/') + 1);
        assertThat(events)
                .as("the webhook action's job and its delivery attempts carry the subscription")
                .anyMatch(e -> e.getLoggerName().startsWith("io.flowgate.worker")
                        && subscriptionId.equals(e.getMDCPropertyMap().get("subscriptionId")))
                .anyMatch(e -> e.getLoggerName().startsWith("io.flowgate.dispatcher")
                        && subscriptionId.equals(e.getMDCPropertyMap().get("subscriptionId"))
                        && e.getMDCPropertyMap().getOrDefault("webhookId", "").startsWith("msg_"));
        String signature = contoso.substring(contoso.lastIndexOf('.') + 1);
        for (String line : lines) {
            assertThat(line)
                    .doesNotContain(contoso)
                    .doesNotContain(signature)
                    .doesNotContain(forged)
                    .doesNotContain(SIG)
                    .doesNotContain(CALLBACK_PATH);
        }
    }
}
