package io.flowgate.worker.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flowgate.contracts.JobState;
import io.flowgate.contracts.JobStatus;
import io.flowgate.contracts.JobSubmitted;
import io.flowgate.contracts.OperationDescriptor;
import io.flowgate.contracts.Topics;
import io.flowgate.worker.WorkerApplication;
import io.flowgate.worker.operation.Descriptors;
import io.flowgate.worker.operation.JobContext;
import io.flowgate.worker.operation.OperationHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Two workers on a real broker: when the second joins, the first hands its running jobs over. Every
 * job still ends SUCCEEDED, and no job ever runs twice at the same time.
 */
class JobHandOverTests {

    private static final int JOBS = 9;
    private static EmbeddedKafkaKraftBroker broker;

    /** Runs, per job id, now and at most at once, across both workers (they share this JVM). */
    static final Map<String, AtomicInteger> RUNNING = new ConcurrentHashMap<>();

    static final Map<String, AtomicInteger> MOST_AT_ONCE = new ConcurrentHashMap<>();
    static final Map<String, AtomicInteger> STARTS = new ConcurrentHashMap<>();

    @BeforeAll
    static void startBroker() {
        broker = (EmbeddedKafkaKraftBroker)
                new EmbeddedKafkaKraftBroker(1, 3).brokerProperties(Map.of("group.initial.rebalance.delay.ms", "0"));
        broker.afterPropertiesSet();
    }

    @AfterAll
    static void stopBroker() {
        broker.destroy();
    }

    /** A test operation that takes a few seconds and counts how often each job runs at once. */
    @Configuration(proxyBeanMethods = false)
    static class ProbeConfig {
        @Bean
        OperationHandler probe() {
            return new OperationHandler() {
                @Override
                public OperationDescriptor descriptor() {
                    return Descriptors.of(
                            "probe",
                            "Probe",
                            "Counts concurrent runs.",
                            "{}",
                            "{}",
                            Duration.ZERO,
                            Duration.ofSeconds(1));
                }

                @Override
                public JsonNode run(JsonNode input, JobContext context) throws InterruptedException {
                    STARTS.computeIfAbsent(context.jobId(), id -> new AtomicInteger())
                            .incrementAndGet();
                    int now = RUNNING.computeIfAbsent(context.jobId(), id -> new AtomicInteger())
                            .incrementAndGet();
                    MOST_AT_ONCE
                            .computeIfAbsent(context.jobId(), id -> new AtomicInteger())
                            .accumulateAndGet(now, Math::max);
                    try {
                        context.sleep(Duration.ofSeconds(input.get("seconds").asInt()));
                        return input;
                    } finally {
                        RUNNING.get(context.jobId()).decrementAndGet();
                    }
                }
            };
        }
    }

    private static ConfigurableApplicationContext worker() {
        return worker(broker);
    }

    private static ConfigurableApplicationContext worker(EmbeddedKafkaKraftBroker on, String... more) {
        List<String> arguments = new java.util.ArrayList<>(List.of(
                "--spring.kafka.bootstrap-servers=" + on.getBrokersAsString(),
                "--server.port=0",
                "--flowgate.kafka.partitions=3",
                "--flowgate.worker.handover-grace=5s"));
        arguments.addAll(List.of(more));
        return WorkerApplication.builder().sources(ProbeConfig.class).run(arguments.toArray(String[]::new));
    }

    @Test
    void aWorkerCutOffFromKafkaStopsItsJobsBeforeTheGroupCouldGiveThemAway() {
        var own = (EmbeddedKafkaKraftBroker)
                new EmbeddedKafkaKraftBroker(1, 3).brokerProperties(Map.of("group.initial.rebalance.delay.ms", "0"));
        own.afterPropertiesSet();
        String id = UUID.randomUUID().toString();
        // A 10 s session: the group would give the job to another worker 10 s after the last heartbeat.
        try (var worker = worker(own, "--spring.kafka.consumer.properties.session.timeout.ms=10000")) {
            submit(own, List.of(id), 300);
            await().atMost(Duration.ofSeconds(30)).until(() -> STARTS.containsKey(id));
            assertThat(RUNNING.get(id).get()).isEqualTo(1);

            own.destroy();

            // Stopped within the session timeout of losing contact (at half of it, by design).
            await().atMost(Duration.ofSeconds(10)).until(() -> RUNNING.get(id).get() == 0);
        }
    }

    @Test
    void aWorkerJoiningMidJobTakesJobsOverWithoutEverRunningOneTwiceAtOnce() {
        try (var first = worker()) {
            List<String> jobIds = IntStream.range(0, JOBS)
                    .mapToObj(i -> UUID.randomUUID().toString())
                    .toList();
            submit(jobIds);
            await().atMost(Duration.ofSeconds(30)).until(() -> jobIds.stream().allMatch(STARTS::containsKey));

            try (var second = worker()) {
                Map<String, JobStatus> finals = new HashMap<>();
                try (var statuses = statusReader()) {
                    await().atMost(Duration.ofSeconds(60)).until(() -> {
                        statuses.poll(Duration.ofMillis(200)).forEach(r -> {
                            if (r.value() != null && r.value().state().isTerminal()) {
                                finals.putIfAbsent(r.key(), r.value());
                            }
                        });
                        return finals.keySet().containsAll(jobIds);
                    });
                }

                assertThat(jobIds).allSatisfy(id -> {
                    assertThat(finals.get(id).state()).isEqualTo(JobState.SUCCEEDED);
                    assertThat(MOST_AT_ONCE.get(id).get())
                            .as("runs of %s at once", id)
                            .isEqualTo(1);
                });
                assertThat(jobIds.stream().mapToInt(id -> STARTS.get(id).get()).sum())
                        .as("the first worker handed running jobs over, and they ran again")
                        .isGreaterThan(JOBS);
            }
        }
    }

    private static void submit(List<String> jobIds) {
        submit(broker, jobIds, 6);
    }

    private static void submit(EmbeddedKafkaKraftBroker on, List<String> jobIds, int seconds) {
        Instant now = Instant.now();
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, on.getBrokersAsString()),
                Topics.JOBS.keySerde().serializer(),
                Topics.JOBS.valueSerde().serializer())) {
            for (String id : jobIds) {
                var input = JsonNodeFactory.instance.objectNode().put("seconds", seconds);
                producer.send(new ProducerRecord<>(
                        Topics.JOBS.name(),
                        id,
                        new JobSubmitted(
                                "tenant", id, "probe", input, "hash", now, now.plusSeconds(600), Map.of(), null)));
            }
        }
    }

    private static KafkaConsumer<String, JobStatus> statusReader() {
        var consumer = new KafkaConsumer<>(
                Map.<String, Object>of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        broker.getBrokersAsString(),
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "status-reader-" + UUID.randomUUID(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest"),
                Topics.JOB_STATUS.keySerde().deserializer(),
                Topics.JOB_STATUS.valueSerde().deserializer());
        consumer.subscribe(List.of(Topics.JOB_STATUS.name()));
        return consumer;
    }
}
