package io.flowgate.api.subscription;

import io.flowgate.api.config.ApiProperties;
import io.flowgate.api.config.CommandLog;
import io.flowgate.api.problem.KafkaUnavailable;
import io.flowgate.contracts.JobSubmitted;
import io.flowgate.contracts.Subscription;
import io.flowgate.contracts.Topics;
import java.time.Duration;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Writes subscriptions. A subscription and its job go in one Kafka transaction (ARCHITECTURE.md
 * invariant 1): readers, which all read committed records only, see both or neither, so no job runs
 * whose callback has nowhere to go and no subscription waits for a job that was never queued.
 */
@Component
class SubscriptionCommands {

    private final KafkaTemplate<String, Object> transactional;
    private final CommandLog log;
    private final Duration retryAfter;

    SubscriptionCommands(
            KafkaTemplate<String, Object> subscribeTemplate, CommandLog commandLog, ApiProperties properties) {
        this.transactional = subscribeTemplate;
        this.log = commandLog;
        this.retryAfter = properties.unavailableRetryAfter();
    }

    /** Writes the subscription and its job in one transaction; completes once it is committed. */
    Mono<Void> subscribe(Subscription subscription, JobSubmitted job) {
        return Mono.fromCallable(() -> transactional.executeInTransaction(kafka -> {
                    kafka.send(Topics.JOBS.name(), job.jobId(), job);
                    kafka.send(Topics.SUBSCRIPTIONS.name(), subscription.subscriptionId(), subscription);
                    return true;
                }))
                .subscribeOn(Schedulers.boundedElastic())
                .onErrorMap(e -> new KafkaUnavailable(retryAfter, e))
                .then();
    }

    /** Removes the subscription (a tombstone); completes once Kafka has it. */
    Mono<Void> remove(String subscriptionId) {
        return log.write(Topics.SUBSCRIPTIONS, subscriptionId, null);
    }
}
