package io.flowgate.api.trigger;

import io.flowgate.api.config.ApiProperties;
import io.flowgate.api.problem.InvalidRequest;
import io.flowgate.api.problem.ProblemTypes;
import io.flowgate.api.tenant.Tenants;
import io.flowgate.contracts.Triggers;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriUtils;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * The triggers' catalog and the polling trigger (docs/api.md, docs/triggers.md). The webhook trigger's
 * subscribe is with the other subscriptions.
 */
@RestController
class TriggerController {

    static final String STATE = "triggerState";
    static final String MODE = "mode";
    static final String MAX_ITEMS = "maxItems";
    private static final Set<String> RESERVED = Set.of(STATE, MODE, MAX_ITEMS);

    /** The header that tells a poll its state was older than the retained events. */
    static final String EXPIRED_HEADER = "Flowgate-Trigger-State-Expired";

    private final TriggerPolls polls;
    private final TriggerProperties settings;
    private final ApiProperties properties;

    TriggerController(TriggerPolls polls, TriggerProperties settings, ApiProperties properties) {
        this.polls = polls;
        this.settings = settings;
        this.properties = properties;
    }

    /** A list answer, OData style. */
    record Page<T>(List<T> value) {}

    @GetMapping(path = "/api/v1/triggers", produces = MediaType.APPLICATION_JSON_VALUE)
    Page<Triggers.Definition> list() {
        return new Page<>(Triggers.all());
    }

    @GetMapping(path = "/api/v1/triggers/{trigger}", produces = MediaType.APPLICATION_JSON_VALUE)
    Triggers.Definition read(@PathVariable String trigger) {
        return TriggerSelection.of(trigger, new LinkedMultiValueMap<>(), RESERVED)
                .trigger();
    }

    /**
     * One poll: 202 with the next {@code Location} while nothing new has arrived, 200 with the item (or
     * {@code {"value": [...]}} in batch mode) and the advanced {@code Location} when something has.
     */
    @GetMapping(
            path = "/api/v1/triggers/{trigger}/poll",
            produces = {MediaType.APPLICATION_JSON_VALUE, MediaType.APPLICATION_PROBLEM_JSON_VALUE})
    Mono<ResponseEntity<Object>> poll(
            @AuthenticationPrincipal Jwt token,
            @PathVariable String trigger,
            @RequestParam MultiValueMap<String, String> query) {
        return Mono.defer(() -> {
            TriggerSelection selection = TriggerSelection.of(trigger, query, RESERVED);
            TriggerPolls.Mode mode = mode(query);
            return polls.poll(Tenants.of(token), selection, single(query, STATE), mode)
                    .map(answer -> answer(selection, mode, answer));
        });
    }

    private ResponseEntity<Object> answer(
            TriggerSelection selection, TriggerPolls.Mode mode, TriggerPolls.Answer answer) {
        ResponseEntity.BodyBuilder builder = ResponseEntity.status(
                        answer.items().isEmpty() ? HttpStatus.ACCEPTED : HttpStatus.OK)
                .location(location(selection, mode, answer.state()))
                .header(
                        HttpHeaders.RETRY_AFTER,
                        Long.toString(answer.retryAfter().toSeconds()));
        if (answer.eventsExpired()) {
            builder.header(EXPIRED_HEADER, "true");
        }
        if (answer.items().isEmpty()) {
            return builder.build();
        }
        List<JsonNode> items = answer.items().stream()
                .map(Triggers::item)
                .map(JsonNode.class::cast)
                .toList();
        return builder.contentType(MediaType.APPLICATION_JSON)
                .body(mode.batch() ? new Page<>(items) : items.getFirst());
    }

    /** The poll URL with this filter, mode and state, absolute on the public base URL. */
    private URI location(TriggerSelection selection, TriggerPolls.Mode mode, String state) {
        StringBuilder query = new StringBuilder();
        selection.filter().forEach((name, value) -> append(query, name, value));
        if (mode.batch()) {
            append(query, MODE, "batch");
            append(query, MAX_ITEMS, Integer.toString(mode.maxItems()));
        }
        append(query, STATE, state);
        return properties.publicUrl("/api/v1/triggers/" + selection.name() + "/poll?" + query);
    }

    private static void append(StringBuilder query, String name, String value) {
        if (!query.isEmpty()) {
            query.append('&');
        }
        query.append(name).append('=').append(UriUtils.encode(value, StandardCharsets.UTF_8));
    }

    private TriggerPolls.Mode mode(MultiValueMap<String, String> query) {
        String mode = single(query, MODE);
        String maxItems = single(query, MAX_ITEMS);
        if (mode == null || mode.equals("single")) {
            if (maxItems != null) {
                throw invalid("'maxItems' applies to mode=batch only.");
            }
            return new TriggerPolls.Mode(false, 1);
        }
        if (!mode.equals("batch")) {
            throw invalid("'mode' is single (one item per answer, the default) or batch.");
        }
        if (maxItems == null) {
            return new TriggerPolls.Mode(true, settings.maxItems());
        }
        try {
            int max = Integer.parseInt(maxItems);
            if (max >= 1 && max <= settings.maxItems()) {
                return new TriggerPolls.Mode(true, max);
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw invalid("'maxItems' is a whole number from 1 to " + settings.maxItems() + ".");
    }

    private static @Nullable String single(MultiValueMap<String, String> query, String name) {
        List<String> values = query.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw invalid("'" + name + "' is given more than once.");
        }
        return values.getFirst();
    }

    private static InvalidRequest invalid(String detail) {
        return new InvalidRequest(ProblemTypes.MALFORMED_REQUEST, "Invalid poll", detail);
    }
}
