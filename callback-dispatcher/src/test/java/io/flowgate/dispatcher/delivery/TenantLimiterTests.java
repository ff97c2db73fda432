package io.flowgate.dispatcher.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

class TenantLimiterTests {

    private final List<CompletableFuture<Void>> attempts = new ArrayList<>();
    private final Executor direct = Runnable::run;

    private boolean offer(TenantLimiter limiter, String tenant, CompletableFuture<Void> done) {
        return limiter.offer(
                tenant,
                () -> {
                    CompletableFuture<Void> attempt = new CompletableFuture<>();
                    attempts.add(attempt);
                    return attempt;
                },
                done);
    }

    @Test
    void aBusyTenantQueuesThenIsRefusedWhileAnotherStartsAtOnce() {
        TenantLimiter limiter = new TenantLimiter(2, 1, direct);
        CompletableFuture<Void> first = new CompletableFuture<>();
        assertThat(offer(limiter, "noisy", first)).isTrue();
        assertThat(offer(limiter, "noisy", new CompletableFuture<>())).isTrue();
        assertThat(offer(limiter, "noisy", new CompletableFuture<>())).isTrue(); // queued
        assertThat(attempts).hasSize(2);
        assertThat(offer(limiter, "noisy", new CompletableFuture<>())).isFalse(); // queue full

        assertThat(offer(limiter, "quiet", new CompletableFuture<>())).isTrue();
        assertThat(attempts).hasSize(3); // started at once
        assertThat(limiter.pending()).isEqualTo(4);

        attempts.getFirst().complete(null);
        assertThat(first).isDone();
        assertThat(attempts).hasSize(4); // the queued one started in its place
        assertThat(limiter.pending()).isEqualTo(3);
    }
}
