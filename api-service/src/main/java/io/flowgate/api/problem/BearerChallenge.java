package io.flowgate.api.problem;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** RFC 6750 {@code WWW-Authenticate: Bearer ...} values, parameters in a fixed order (error first). */
public final class BearerChallenge {

    /** {@code Bearer error="...", error_description="..."}. */
    public static String of(String error, String description) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("error", error);
        params.put("error_description", description);
        return of(params);
    }

    /** {@code Bearer} with {@code params} in their iteration order, quoted and escaped. */
    public static String of(Map<String, String> params) {
        if (params.isEmpty()) {
            return "Bearer";
        }
        return "Bearer "
                + params.entrySet().stream()
                        .map(p -> p.getKey() + "=\""
                                + p.getValue().replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
                        .collect(Collectors.joining(", "));
    }

    private BearerChallenge() {}
}
