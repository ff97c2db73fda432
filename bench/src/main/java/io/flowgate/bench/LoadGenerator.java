package io.flowgate.bench;

import io.netty.handler.codec.http.HttpMethod;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * HTTP load on Reactor Netty's client, in two models:
 *
 * <ul>
 *   <li><b>open</b> ({@link #fixedRate}): requests are sent at a fixed arrival rate whatever the
 *       answers do, and each latency is measured from the request's <em>intended</em> send time, so a
 *       stall shows up in the percentiles instead of silently lowering the rate (no coordinated
 *       omission);
 *   <li><b>closed</b> ({@link #saturate}): a fixed number of requests in flight, each sent when the
 *       previous answers, for saturation throughput only.
 * </ul>
 */
final class LoadGenerator implements AutoCloseable {

    /** One request to send. */
    record Request(
            HttpMethod method,
            String url,
            Map<String, String> headers,
            @Nullable String body) {}

    /** What a run saw: throughput, errors and the latency histogram (microseconds). */
    record Outcome(long sent, long ok, long errors, double seconds, Histogram latencyMicros) {
        double throughput() {
            return ok / seconds;
        }

        double percentileMillis(double percentile) {
            return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    private final HttpClient client;
    private final ConnectionProvider connections;

    LoadGenerator(int maxConnections) {
        this.connections = ConnectionProvider.builder("bench")
                .maxConnections(maxConnections)
                .pendingAcquireMaxCount(-1)
                .build();
        this.client = HttpClient.create(connections).responseTimeout(Duration.ofSeconds(30));
    }

    private Mono<Integer> send(Request request) {
        var spec = client.headers(h -> request.headers().forEach(h::set))
                .request(request.method())
                .uri(request.url());
        var sending = request.body() == null ? spec : spec.send(ByteBufFlux.fromString(Mono.just(request.body())));
        return sending.responseSingle((response, body) ->
                        body.then(Mono.just(response.status().code())))
                .onErrorReturn(-1);
    }

    /** Sends at {@code perSecond} for {@code duration}; a status in {@code okStatuses} counts as ok. */
    Outcome fixedRate(Request request, double perSecond, Duration duration, int... okStatuses)
            throws InterruptedException {
        Recorder recorder = new Recorder(3);
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long total = Math.max(1, Math.round(perSecond * duration.toNanos() / 1e9));
        CountDownLatch done = new CountDownLatch((int) total);
        long intervalNanos = Math.round(1e9 / perSecond);
        long start = System.nanoTime();
        for (long i = 0; i < total; i++) {
            long intended = start + i * intervalNanos;
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            send(request).subscribe(status -> {
                recorder.recordValue(Math.max(1, (System.nanoTime() - intended) / 1000));
                (isOk(status, okStatuses) ? ok : errors).incrementAndGet();
                done.countDown();
            });
        }
        done.await(60, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Outcome(total, ok.get(), errors.get() + done.getCount(), seconds, recorder.getIntervalHistogram());
    }

    /** Keeps {@code inFlight} requests going for {@code duration}. */
    /**
     * Saturates in windows of {@code window} until the throughput is steady ({@link WarmUp}) or
     * {@code max} has passed.
     */
    WarmUp warmUntilSteady(Request request, int inFlight, Duration window, Duration max, int... okStatuses)
            throws InterruptedException {
        java.util.List<Double> curve = new java.util.ArrayList<>();
        long windows = Math.max(WarmUp.STEADY_WINDOWS, max.toNanos() / window.toNanos());
        while (curve.size() < windows && !WarmUp.isSteady(curve)) {
            curve.add(saturate(request, inFlight, window, okStatuses).throughput());
        }
        return new WarmUp(curve, window, WarmUp.isSteady(curve));
    }

    Outcome saturate(Request request, int inFlight, Duration duration, int... okStatuses) throws InterruptedException {
        Recorder recorder = new Recorder(3);
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong sent = new AtomicLong();
        long end = System.nanoTime() + duration.toNanos();
        CountDownLatch loops = new CountDownLatch(inFlight);
        long start = System.nanoTime();
        for (int i = 0; i < inFlight; i++) {
            loop(request, end, recorder, ok, errors, sent, loops, okStatuses);
        }
        loops.await(duration.toSeconds() + 60, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Outcome(sent.get(), ok.get(), errors.get(), seconds, recorder.getIntervalHistogram());
    }

    private void loop(
            Request request,
            long end,
            Recorder recorder,
            AtomicLong ok,
            AtomicLong errors,
            AtomicLong sent,
            CountDownLatch loops,
            int[] okStatuses) {
        if (System.nanoTime() >= end) {
            loops.countDown();
            return;
        }
        long begin = System.nanoTime();
        sent.incrementAndGet();
        send(request).subscribe(status -> {
            recorder.recordValue(Math.max(1, (System.nanoTime() - begin) / 1000));
            (isOk(status, okStatuses) ? ok : errors).incrementAndGet();
            loop(request, end, recorder, ok, errors, sent, loops, okStatuses);
        });
    }

    private static boolean isOk(int status, int[] okStatuses) {
        for (int ok : okStatuses) {
            if (ok == status) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        connections.disposeLater().block(Duration.ofSeconds(10));
    }
}
