package io.flowgate.api.job;

import io.flowgate.contracts.JobStatus;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Lets a synchronous request wait for its job's terminal status: the status view publishes every
 * terminal status here as it applies it, and waiters registered for that job id are completed.
 */
@Component
class JobStatusUpdates {

    private final ConcurrentMap<String, Set<CompletableFuture<JobStatus>>> waiters = new ConcurrentHashMap<>();

    /** Registers interest in {@code jobId}'s terminal status; register before the job can finish. */
    Waiter register(String jobId) {
        CompletableFuture<JobStatus> future = new CompletableFuture<>();
        waiters.computeIfAbsent(jobId, id -> ConcurrentHashMap.newKeySet()).add(future);
        return new Waiter(jobId, future);
    }

    /** Called by the status view for every status it applies. */
    void published(JobStatus status) {
        if (status.state().isTerminal()) {
            Set<CompletableFuture<JobStatus>> waiting = waiters.remove(status.jobId());
            if (waiting != null) {
                waiting.forEach(f -> f.complete(status));
            }
        }
    }

    /** How many requests are waiting (a gauge). */
    int waiting() {
        return waiters.values().stream().mapToInt(Set::size).sum();
    }

    /** One registered wait. */
    final class Waiter {
        private final String jobId;
        private final CompletableFuture<JobStatus> future;

        private Waiter(String jobId, CompletableFuture<JobStatus> future) {
            this.jobId = jobId;
            this.future = future;
        }

        /** The terminal status, or empty when {@code timeout} passes first. */
        Mono<JobStatus> await(Duration timeout) {
            return Mono.fromFuture(future, true)
                    // The future completes on the view's stream thread: answer the request elsewhere, or
                    // the stream thread writes every synchronous answer and the view (one thread for
                    // all of this replica's partitions) falls behind. Measured in docs/performance.md.
                    .publishOn(Schedulers.parallel())
                    .timeout(timeout, Mono.empty())
                    .doFinally(signal -> cancel());
        }

        /** Stops waiting. */
        void cancel() {
            waiters.computeIfPresent(jobId, (id, set) -> {
                set.remove(future);
                return set.isEmpty() ? null : set;
            });
        }
    }
}
