package io.flowgate.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * Follows the Logic Apps asynchronous pattern to the letter: after a 202 it waits {@code Retry-After}
 * seconds and then polls the absolute {@code Location}, until an answer other than 202 arrives.
 */
final class AsyncPatternClient {

    /** One HTTP answer. */
    record Answer(HttpStatusCode status, HttpHeaders headers, String body) {}

    private final WebClient http;
    private final String token;
    private final List<Answer> polls = new ArrayList<>();

    AsyncPatternClient(String token) {
        this.http = Http.webClient();
        this.token = token;
    }

    /** Every answer seen while polling, in order. */
    List<Answer> polls() {
        return polls;
    }

    /** GET {@code url} with the token. */
    Answer get(URI url) {
        return http.get()
                .uri(url)
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                .exchangeToMono(r -> r.bodyToMono(String.class)
                        .defaultIfEmpty("")
                        .map(body -> new Answer(r.statusCode(), r.headers().asHttpHeaders(), body)))
                .block(Duration.ofSeconds(30));
    }

    /** Polls from a 202 until the final answer, checking each 202 on the way; gives up after {@code limit}. */
    Answer followToCompletion(Answer accepted, Duration limit) {
        Instant giveUp = Instant.now().plus(limit);
        Answer current = accepted;
        while (current.status().value() == 202) {
            URI location = current.headers().getLocation();
            String retryAfter = current.headers().getFirst(HttpHeaders.RETRY_AFTER);
            assertThat(location).as("Location on every 202").isNotNull();
            assertThat(location.isAbsolute()).as("Location is absolute").isTrue();
            assertThat(retryAfter).as("Retry-After on every 202").isNotNull().matches("\\d+");
            assertThat(Instant.now()).as("job finished within " + limit).isBefore(giveUp);
            // The engine waits Retry-After seconds before the next poll; that wait is the behaviour under test.
            Mono.delay(Duration.ofSeconds(Long.parseLong(retryAfter))).block();
            current = get(location);
            polls.add(current);
        }
        return current;
    }
}
