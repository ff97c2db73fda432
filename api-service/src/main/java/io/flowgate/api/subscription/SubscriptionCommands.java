package io.flowgate.api.subscription;

import io.flowgate.api.config.ApiProperties;
import io.flowgate.api.config.CommandLog;
import io.flowgate.api.problem.KafkaWriteFailures;
import io.flowgate.contracts.JobSubmitted;
import io.flowgate.contracts.Subscription;
import io.flowgate.contracts.Topics;
import io.flowgate.kafka.TopicWriter;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Writes subscriptions. A subscription and its job go in one Kafka transaction (docs/callbacks.md,
 * "The webhook action, step by step"): readers, which all read committed records only, see both or neither, so no job runs
 * whose callback has nowhere to go and no subscription waits for a job that was never queued.
 * Subscribes that arrive together share a transaction ({@link GroupCommit}): the transaction, not
 * the records, is what costs (docs/performance.md).
 */
@Component
class SubscriptionCommands implements AutoCloseable {

    /** Most subscribes in one transaction. */
    static final int MAX_BATCH = 100;

    /** A subscribe and the context of its request (its trace), which its records carry. */
    private record Subscribe(Subscription subscription, JobSubmitted job, ContextSnapshot context) {}

    private final TopicWriter transactional;
    private final CommandLog log;
    private final Duration retryAfter;

    private final GroupCommit<Subscribe> subscribes;

    SubscriptionCommands(
            TopicWriter subscribeWriter, CommandLog commandLog, ApiProperties properties, MeterRegistry meters) {
        this.transactional = subscribeWriter;
        this.log = commandLog;
        this.retryAfter = properties.unavailableRetryAfter();
        this.subscribes = new GroupCommit<>(
                "subscribe", MAX_BATCH, this::writeTogether, KafkaWriteFailures::isRecordTooLarge, meters);
    }

    /** Writes the subscription and its job in one transaction; completes once it is committed. */
    Mono<Void> subscribe(Subscription subscription, JobSubmitted job) {
        // Cancellation (the caller went away) does not withdraw a queued subscribe: it is written
        // like any other, and a retry of the request finds it (subscribe is idempotent).
        return Mono.deferContextual(request -> Mono.fromFuture(
                        subscribes.submit(new Subscribe(subscription, job, CommandLog.CONTEXT.captureFrom(request))),
                        true))
                .onErrorMap(e -> KafkaWriteFailures.problem(e, retryAfter));
    }

    private void writeTogether(List<Subscribe> batch) {
        transactional.inTransaction(kafka -> {
            for (Subscribe s : batch) {
                try (ContextSnapshot.Scope scope = s.context().setThreadLocals()) {
                    kafka.send(Topics.JOBS, s.job().jobId(), s.job());
                    kafka.send(Topics.SUBSCRIPTIONS, s.subscription().subscriptionId(), s.subscription());
                }
            }
        });
    }

    /** Writes a webhook trigger's subscription (it has no job); completes once Kafka has it. */
    Mono<Void> subscribe(Subscription subscription) {
        return log.write(Topics.SUBSCRIPTIONS, subscription.subscriptionId(), subscription);
    }

    /**
     * Removes the subscription (a tombstone), and the dispatcher's note that its receiver is gone if
     * there is one; completes once Kafka has both.
     */
    Mono<Void> remove(String subscriptionId) {
        return log.write(Topics.SUBSCRIPTIONS, subscriptionId, null)
                .then(log.write(Topics.SUBSCRIPTIONS_GONE, subscriptionId, null));
    }

    @Override
    public void close() {
        subscribes.close();
    }
}
