package io.flowgate.api.problem;

import java.net.URI;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import reactor.core.publisher.Mono;

/**
 * Every error a controller meets becomes an {@code application/problem+json} answer: Flowgate's own
 * problems, Spring's standard ones (405, 415, ...), and a problem (never a bare 500) for the rest.
 */
@RestControllerAdvice
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    @ExceptionHandler(FlowgateProblem.class)
    ResponseEntity<ProblemDetail> flowgate(FlowgateProblem e, ServerWebExchange exchange) {
        ProblemDetail problem = e.problem();
        problem.setInstance(URI.create(exchange.getRequest().getPath().value()));
        ResponseEntity.BodyBuilder answer =
                ResponseEntity.status(problem.getStatus()).contentType(MediaType.APPLICATION_PROBLEM_JSON);
        if (e.retryAfter() != null) {
            answer.header(
                    HttpHeaders.RETRY_AFTER,
                    Long.toString(Math.max(1, e.retryAfter().toSeconds())));
        }
        if (problem.getStatus() >= 500) {
            log.warn("Answering {}: {}", problem.getStatus(), e.getMessage(), e.getCause());
        }
        return answer.body(problem);
    }

    @Override
    protected Mono<ResponseEntity<Object>> handleServerWebInputException(
            ServerWebInputException e, HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
        if (hasCause(e, DataBufferLimitException.class)) {
            return Mono.just(tooLarge(exchange));
        }
        String reason = e.getReason() != null ? e.getReason() : "The request could not be read.";
        return problem(
                exchange,
                HttpStatus.BAD_REQUEST,
                ProblemTypes.MALFORMED_REQUEST,
                "Malformed request",
                reason
                        + (e.getMostSpecificCause() != e
                                ? " " + firstLine(e.getMostSpecificCause().getMessage())
                                : ""));
    }

    /** Spring's own 413 (a body over the codec's in-memory limit) gets the same problem as Flowgate's. */
    @Override
    protected Mono<ResponseEntity<Object>> handleResponseStatusException(
            ResponseStatusException e, HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
        if (status.value() == HttpStatus.CONTENT_TOO_LARGE.value()) {
            return Mono.just(tooLarge(exchange));
        }
        return super.handleResponseStatusException(e, headers, status, exchange);
    }

    @ExceptionHandler(Exception.class)
    Mono<ResponseEntity<Object>> unexpected(Exception e, ServerWebExchange exchange) {
        log.error(
                "Unexpected error on {} {}",
                exchange.getRequest().getMethod(),
                exchange.getRequest().getPath(),
                e);
        return problem(
                exchange,
                HttpStatus.INTERNAL_SERVER_ERROR,
                ProblemTypes.INTERNAL,
                "Internal error",
                "An unexpected error occurred; it has been logged.");
    }

    /** Spring's refusals of a too large body answer the same problem as Flowgate's own. */
    private ResponseEntity<Object> tooLarge(ServerWebExchange exchange) {
        ResponseEntity<ProblemDetail> answer = flowgate(
                FlowgateProblem.payloadTooLarge("The request body is larger than this API accepts.", null), exchange);
        return ResponseEntity.status(answer.getStatusCode())
                .headers(answer.getHeaders())
                .body(answer.getBody());
    }

    private static Mono<ResponseEntity<Object>> problem(
            ServerWebExchange exchange, HttpStatus status, String type, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create(type));
        problem.setTitle(title);
        problem.setInstance(URI.create(exchange.getRequest().getPath().value()));
        return Mono.just(ResponseEntity.status(status)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem));
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String firstLine(@Nullable String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
