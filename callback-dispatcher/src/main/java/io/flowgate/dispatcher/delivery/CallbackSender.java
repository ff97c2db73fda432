package io.flowgate.dispatcher.delivery;

import io.flowgate.webhooks.AddressRules;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.resolver.HostsFileEntriesProvider;
import java.io.File;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.HttpResources;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.PrematureCloseException;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;
import reactor.netty.transport.NameResolverProvider;

/**
 * POSTs one callback (Reactor Netty): connect and response timeouts, an overall deadline, at most
 * {@code maxBody} bytes of the answer read, no redirects followed, no credentials of Flowgate's
 * attached, and every address checked at connect time ({@link GuardedResolverGroup}).
 */
final class CallbackSender implements AutoCloseable {

    /** Longest wait for one DNS answer; a name's look-up asks at most {@link #DNS_MAX_QUERIES}. */
    static final Duration DNS_QUERY_TIMEOUT = Duration.ofSeconds(3);

    static final int DNS_MAX_QUERIES = 4;

    private final AddressRules rules;
    private final HttpClient client;
    private final ConnectionProvider connections;
    private final GuardedResolverGroup resolver;
    private final Duration deadline;
    private final long maxBody;

    CallbackSender(AddressRules rules, Duration connectTimeout, Duration responseTimeout, long maxBody) {
        this.rules = rules;
        this.connections = ConnectionProvider.builder("flowgate-callbacks")
                .maxConnections(1000)
                .pendingAcquireMaxCount(-1)
                .maxIdleTime(Duration.ofSeconds(30))
                .evictInBackground(Duration.ofSeconds(60))
                .build();
        this.resolver = new GuardedResolverGroup(
                rules, dns().newNameResolverGroup(HttpResources.get(), LoopResources.DEFAULT_NATIVE));
        this.client = HttpClient.create(connections)
                .resolver(resolver)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .responseTimeout(responseTimeout)
                .followRedirect(false);
        this.deadline = connectTimeout.plus(responseTimeout);
        this.maxBody = maxBody;
    }

    /**
     * Netty's asynchronous DNS resolver, with a query timeout. It reads the hosts file the JVM is
     * told to use instead of DNS ({@code jdk.net.hosts.file}) when there is one, as the JDK's own
     * resolver would.
     */
    private static NameResolverProvider dns() {
        var spec =
                NameResolverProvider.builder().queryTimeout(DNS_QUERY_TIMEOUT).maxQueriesPerResolve(DNS_MAX_QUERIES);
        String hostsFile = System.getProperty("jdk.net.hosts.file");
        if (hostsFile != null) {
            HostsFileEntriesProvider entries = HostsFileEntriesProvider.parser().parseSilently(new File(hostsFile));
            spec.hostsFileEntriesResolver((host, types) -> {
                String name = host.toLowerCase(Locale.ROOT);
                List<InetAddress> found = entries.ipv4Entries().getOrDefault(name, List.of());
                if (found.isEmpty()) {
                    found = entries.ipv6Entries().getOrDefault(name, List.of());
                }
                return found.isEmpty() ? null : found.getFirst();
            });
        }
        return spec.build();
    }

    /**
     * The receiver's answer, or why there was none.
     *
     * @param status the HTTP status, when the receiver answered
     * @param retryAfter its {@code Retry-After}, when it sent one
     * @param failure what went wrong when it did not answer
     * @param addressRefused whether the address was refused (SSRF): a permanent failure
     */
    record Answer(
            @Nullable Integer status,
            @Nullable Duration retryAfter,
            @Nullable String failure,
            boolean addressRefused) {

        static Answer failed(String failure) {
            return new Answer(null, null, failure, false);
        }
    }

    Mono<Answer> post(URI url, Map<String, String> headers, byte[] body) {
        // Netty connects to an IP literal without asking the resolver: check those here.
        String host = url.getHost() == null ? "" : url.getHost().replaceAll("^\\[|]$", "");
        if (isIpLiteral(host) && !rules.allows(InetAddress.ofLiteral(host))) {
            return Mono.just(new Answer(null, null, "address not allowed: " + host, true));
        }
        return client.headers(h -> {
                    headers.forEach(h::set);
                    h.set(HttpHeaderNames.CONTENT_TYPE, "application/json");
                    // A fixed length rather than chunks: some receivers refuse chunked requests.
                    h.set(HttpHeaderNames.CONTENT_LENGTH, body.length);
                })
                .post()
                .uri(url)
                .send(ByteBufFlux.fromInbound(Mono.just(body)))
                .response((response, content) -> content.asByteArray()
                        .scan(0L, (total, chunk) -> total + chunk.length)
                        .takeUntil(total -> total >= maxBody)
                        .then(Mono.just(new Answer(
                                response.status().code(),
                                retryAfter(response.responseHeaders().get("Retry-After")),
                                null,
                                false))))
                .next()
                .timeout(deadline)
                .onErrorResume(e -> Mono.just(failure(e)));
    }

    private static boolean isIpLiteral(String host) {
        return host.contains(":") || (!host.isEmpty() && host.chars().allMatch(c -> c == '.' || Character.isDigit(c)));
    }

    private Answer failure(Throwable e) {
        Throwable cause = e;
        while (cause != null) {
            if (cause instanceof GuardedResolverGroup.AddressNotAllowed) {
                return new Answer(null, null, "address not allowed: " + cause.getMessage(), true);
            }
            cause = cause.getCause();
        }
        return switch (e) {
            case TimeoutException t -> Answer.failed("no answer within " + deadline.toMillis() + " ms");
            case io.netty.handler.timeout.ReadTimeoutException t -> Answer.failed("response timeout");
            case io.netty.channel.ConnectTimeoutException t -> Answer.failed("connect timeout");
            case PrematureCloseException t -> Answer.failed("connection closed before the answer");
            default ->
                Answer.failed(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        };
    }

    /** {@code Retry-After} in seconds or as an HTTP date; null when absent or unreadable. */
    static @Nullable Duration retryAfter(@Nullable String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.strip();
        if (v.chars().allMatch(Character::isDigit) && v.length() <= 9) {
            return Duration.ofSeconds(Long.parseLong(v));
        }
        try {
            Duration until = Duration.between(
                    Instant.now(),
                    ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            return until.isNegative() ? Duration.ZERO : until;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    @Override
    public void close() {
        connections.dispose();
        resolver.close();
    }
}
