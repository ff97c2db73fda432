package io.flowgate.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.flowgate.issuer.DemoTenants;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * One flow action followed across the three services: the W3C trace context a flow sends with its
 * request is carried through Kafka record headers to the worker and the dispatcher, on through a
 * retry tier, and out to the callback receiver; every service's logs carry the trace id, and the
 * API's logs carry the tenant and the Logic Apps correlation headers of the request.
 */
class TracingSystemTests {

    private static final String CALLBACK = "/traced-cb";

    @Test
    void aWebhookActionIsOneTraceFromTheRequestToItsCallback() {
        var stack = SharedStack.get();
        var api = Http.testClient(stack.apiUrl());
        String token = Tokens.fetch(stack, DemoTenants.CONTOSO_CLIENT);
        await().atMost(Duration.ofSeconds(60)).until(() -> Catalog.catalogHas(api, token));
        HexFormat hex = HexFormat.of();
        String traceId = hex.formatHex(randomBytes(16));
        String traceparent = "00-" + traceId + "-" + hex.formatHex(randomBytes(8)) + "-01";

        List<ILoggingEvent> events;
        List<Receiver.Call> calls;
        try (var logs = new CapturedLogs();
                var receiver = new Receiver()) {
            // The first attempt fails: the retry goes through a retry tier, and stays in the trace.
            receiver.script(CALLBACK, 500, 200);
            api.post()
                    .uri("/api/v1/operations/{operation}/subscriptions", "jsonata-transform")
                    .headers(h -> {
                        h.setBearerAuth(token);
                        h.add("traceparent", traceparent);
                        // W3C baggage a tenant made up: Flowgate carries none of it anywhere.
                        h.add("baggage", "hostile=" + "x".repeat(4000));
                        h.add("x-ms-workflow-run-id", "run-traced");
                        h.add("x-ms-client-tracking-id", "tracking-traced");
                    })
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{\"callbackUrl\":"
                            + JsonMapper.builder().build().writeValueAsString(receiver.url(CALLBACK, "x"))
                            + ",\"input\":{\"expression\":\"a\",\"document\":{\"a\":1}}}")
                    .exchange()
                    .expectStatus()
                    .isCreated();
            calls = receiver.await(CALLBACK, 2, Duration.ofSeconds(30));
            // The dispatcher logs an attempt once its outcome is written: wait for the second one.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> logs.events().stream()
                            .anyMatch(inTrace(traceId, "io.flowgate.dispatcher")
                                    .and(e -> e.getFormattedMessage().contains("attempt 2 delivered"))));
            events = logs.events();
        }

        for (Receiver.Call call : calls) {
            assertThat(call.header("baggage"))
                    .as("a tenant's baggage is not carried to Kafka or the callback")
                    .isNull();
            assertThat(call.header("traceparent"))
                    .as("each callback attempt continues the flow's trace")
                    .startsWith("00-" + traceId + "-");
        }
        assertThat(events)
                .as("the API's log of the subscription carries the trace, the tenant and the correlation headers")
                .anyMatch(inTrace(traceId, "io.flowgate.api").and(e -> {
                    Map<String, String> mdc = e.getMDCPropertyMap();
                    return DemoTenants.CONTOSO.equals(mdc.get("tenantId"))
                            && "run-traced".equals(mdc.get("x-ms-workflow-run-id"))
                            && "tracking-traced".equals(mdc.get("x-ms-client-tracking-id"));
                }));
        assertThat(events)
                .as("the worker's log of the job is in the trace")
                .anyMatch(inTrace(traceId, "io.flowgate.worker")
                        .and(e -> e.getFormattedMessage().contains("ended")));
        assertThat(events)
                .as("both of the dispatcher's attempts are in the trace")
                .anyMatch(inTrace(traceId, "io.flowgate.dispatcher")
                        .and(e -> e.getFormattedMessage().contains("attempt 1 retrying")))
                .anyMatch(inTrace(traceId, "io.flowgate.dispatcher")
                        .and(e -> e.getFormattedMessage().contains("attempt 2 delivered")));
    }

    private static Predicate<ILoggingEvent> inTrace(String traceId, String loggerPrefix) {
        return e -> e.getLoggerName().startsWith(loggerPrefix)
                && traceId.equals(e.getMDCPropertyMap().get("traceId"));
    }

    private static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }
}
