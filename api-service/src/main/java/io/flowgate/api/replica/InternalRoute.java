package io.flowgate.api.replica;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import reactor.core.publisher.Mono;

/** A read one replica answers for another on the internal port ({@link InternalServer}). */
public interface InternalRoute {

    /** The path, with {@code {name}} for path parameters: {@code /internal/v1/jobs/{jobId}}. */
    String path();

    /** Answers a GET of the path. */
    Mono<Answer> get(Request request);

    /** A request: its path parameters and query. */
    record Request(Map<String, String> pathParameters, Map<String, List<String>> query) {

        /** A path parameter. */
        public String path(String name) {
            String value = pathParameters.get(name);
            if (value == null) {
                throw new IllegalArgumentException("no path parameter " + name);
            }
            return value;
        }

        /** The first value of a query parameter. */
        public Optional<String> query(String name) {
            return Optional.ofNullable(query.get(name))
                    .flatMap(values -> values.stream().findFirst());
        }
    }

    /**
     * An answer: 200 with a body, 404 (the replica owns the key and has nothing under it), or 503 (the
     * replica cannot answer for the key now: it is restoring, or no longer owns it).
     */
    record Answer(int status, byte[] body) {

        public static Answer ok(byte[] body) {
            return new Answer(200, body);
        }

        public static Answer notFound() {
            return new Answer(404, new byte[0]);
        }

        public static Answer unavailable() {
            return new Answer(503, new byte[0]);
        }
    }
}
