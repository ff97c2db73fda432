package io.flowgate.api.admin;

import io.flowgate.api.config.CommandLog;
import io.flowgate.contracts.CallbackDeadLettered;
import io.flowgate.contracts.Topics;
import io.flowgate.tenancy.TenantDirectory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The dead-letter topic for the operator: what is in it, and redriving callbacks from it. A redriven
 * callback goes back to {@code flowgate.callbacks} with a fresh retry schedule and its original
 * {@code webhook-id}, so a receiver that saw it before can tell. Dead letters of offboarded tenants
 * are neither listed nor redriven; those of removed subscriptions are dropped by the dispatcher.
 */
@Component
class DeadLetters {

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final Map<String, Object> consumerConfig;
    private final CommandLog commands;
    private final TenantDirectory tenants;
    private final Clock clock;

    DeadLetters(KafkaProperties kafka, CommandLog commands, TenantDirectory tenants, Clock clock) {
        Map<String, Object> config = new HashMap<>(kafka.buildConsumerProperties());
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumerConfig = config;
        this.commands = commands;
        this.tenants = tenants;
        this.clock = clock;
    }

    /** The dead letters matching {@code filter}, the latest per delivery id, newest first. */
    Mono<List<CallbackDeadLettered>> find(Predicate<CallbackDeadLettered> filter) {
        return Mono.fromCallable(() -> readAll(filter)).subscribeOn(Schedulers.boundedElastic());
    }

    /** Sends the dead letters matching {@code filter} again; answers how many. */
    Mono<Integer> redrive(Predicate<CallbackDeadLettered> filter) {
        return find(filter)
                .flatMap(found -> Flux.fromIterable(found)
                        .concatMap(dead -> commands.write(
                                Topics.CALLBACKS,
                                dead.callback().subscriptionId(),
                                dead.callback().redriven(clock.instant())))
                        .then(Mono.fromSupplier(() -> {
                            log.info("Redrove {} dead-lettered callbacks", found.size());
                            return found.size();
                        })));
    }

    private List<CallbackDeadLettered> readAll(Predicate<CallbackDeadLettered> filter) {
        Map<String, CallbackDeadLettered> latest = new LinkedHashMap<>();
        try (var consumer = new KafkaConsumer<>(
                consumerConfig,
                Topics.CALLBACK_DEAD_LETTERS.keySerde().deserializer(),
                Topics.CALLBACK_DEAD_LETTERS.valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.CALLBACK_DEAD_LETTERS.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.getOrDefault(p, 0L))) {
                for (ConsumerRecord<String, CallbackDeadLettered> record : consumer.poll(POLL)) {
                    CallbackDeadLettered dead = record.value();
                    if (dead != null && !tenants.isOffboarded(dead.callback().tenantId()) && filter.test(dead)) {
                        latest.put(dead.callback().deliveryId(), dead);
                    }
                }
            }
        }
        List<CallbackDeadLettered> found = new ArrayList<>(latest.values());
        found.sort(Comparator.comparing(CallbackDeadLettered::at).reversed());
        return found;
    }
}
