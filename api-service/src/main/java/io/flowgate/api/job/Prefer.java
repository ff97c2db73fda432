package io.flowgate.api.job;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The preferences of RFC 7240 that Flowgate honours: {@code respond-async} (answer 202 at once) and
 * {@code wait=N} (seconds to wait for the result). Unknown preferences are ignored, as the RFC asks.
 *
 * @param respondAsync whether {@code respond-async} was asked for
 * @param waitFor the requested wait, if any
 */
record Prefer(boolean respondAsync, @Nullable Duration waitFor) {

    static final Prefer NONE = new Prefer(false, null);

    /** Parses every {@code Prefer} header value of a request. */
    static Prefer parse(List<String> headerValues) {
        boolean respondAsync = false;
        Duration wait = null;
        for (String header : headerValues) {
            for (String preference : header.split(",")) {
                String token = preference.split(";", 2)[0].trim();
                int eq = token.indexOf('=');
                String name = (eq < 0 ? token : token.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
                String value = eq < 0 ? "" : unquote(token.substring(eq + 1).trim());
                if (name.equals("respond-async")) {
                    respondAsync = true;
                } else if (name.equals("wait") && value.matches("\\d{1,9}")) {
                    wait = Duration.ofSeconds(Long.parseLong(value));
                }
            }
        }
        return new Prefer(respondAsync, wait);
    }

    /** How long to wait for a result: none when async is preferred, else the wish capped by {@code max}. */
    Duration effectiveWait(Duration budget, Duration max) {
        if (respondAsync) {
            return Duration.ZERO;
        }
        Duration wanted = waitFor != null ? waitFor : budget;
        return wanted.compareTo(max) > 0 ? max : wanted;
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1)
                : value;
    }
}
