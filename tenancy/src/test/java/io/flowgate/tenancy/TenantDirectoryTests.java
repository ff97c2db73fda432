package io.flowgate.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.flowgate.contracts.Subscription;
import io.flowgate.contracts.SubscriptionKind;
import io.flowgate.contracts.TenantQuotas;
import io.flowgate.contracts.TenantRegistration;
import io.flowgate.contracts.TenantStatus;
import io.flowgate.contracts.Topics;
import io.flowgate.kafka.Readers;
import io.flowgate.kafka.TopicMirror;
import io.flowgate.kafka.TopicSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/** The directory against a real broker: it reads what is there, follows changes, and tells offboarded tenants. */
class TenantDirectoryTests {

    private static EmbeddedKafkaKraftBroker broker;
    private static KafkaProducer<String, TenantRegistration> producer;
    private static final Instant T0 = Instant.parse("2026-11-23T00:00:00Z");
    private final Readers readers = new Readers(new SimpleMeterRegistry());

    @BeforeAll
    static void startBroker() throws Exception {
        broker = (EmbeddedKafkaKraftBroker) new EmbeddedKafkaKraftBroker(1, 2)
                .brokerProperties(Map.of(
                        "transaction.state.log.replication.factor", "1",
                        "transaction.state.log.min.isr", "1"));
        broker.afterPropertiesSet();
        try (var admin = AdminClient.create(Map.of("bootstrap.servers", broker.getBrokersAsString()))) {
            admin.createTopics(new TopicSettings(2, (short) 1, 1, Duration.ofDays(90), Duration.ofDays(30)).newTopics())
                    .all()
                    .get();
        }
        producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()),
                Topics.TENANTS.keySerde().serializer(),
                Topics.TENANTS.valueSerde().serializer());
    }

    @AfterAll
    static void stopBroker() {
        producer.close();
        broker.destroy();
    }

    @Test
    void readsTheRegistryThenFollowsItsChanges() throws Exception {
        write(entry("a0000000-0000-4000-8000-000000000001", TenantStatus.ACTIVE, T0));
        write(entry("a0000000-0000-4000-8000-000000000002", TenantStatus.ACTIVE, T0));
        write(entry("a0000000-0000-4000-8000-000000000002", TenantStatus.SUSPENDED, T0.plusSeconds(1)));

        try (TenantDirectory directory = TenantDirectory.start(config(), "test-directory", readers)) {
            assertThat(directory.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            assertThat(directory.find("a0000000-0000-4000-8000-000000000001"))
                    .map(TenantRegistration::status)
                    .contains(TenantStatus.ACTIVE);
            assertThat(directory.find("a0000000-0000-4000-8000-000000000002"))
                    .map(TenantRegistration::status)
                    .contains(TenantStatus.SUSPENDED);
            assertThat(directory.find("a0000000-0000-4000-8000-00000000ffff")).isEmpty();

            write(entry("a0000000-0000-4000-8000-000000000001", TenantStatus.OFFBOARDED, T0.plusSeconds(2)));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> directory.isOffboarded("a0000000-0000-4000-8000-000000000001"));
        }
    }

    @Test
    void ownWriteIsVisibleAtOnceAndAnOlderEntryNeverReplacesANewerOne() throws Exception {
        try (TenantDirectory directory = TenantDirectory.start(config(), "test-directory-2", readers)) {
            assertThat(directory.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            String tenant = "b0000000-0000-4000-8000-000000000001";
            directory.written(entry(tenant, TenantStatus.SUSPENDED, T0.plusSeconds(10)));
            assertThat(directory.find(tenant)).map(TenantRegistration::status).contains(TenantStatus.SUSPENDED);

            directory.written(entry(tenant, TenantStatus.ACTIVE, T0.plusSeconds(5)));
            assertThat(directory.find(tenant)).map(TenantRegistration::status).contains(TenantStatus.SUSPENDED);
        }
    }

    @Test
    void syncIsAReadBarrierForWritesAcknowledgedBeforeIt() throws Exception {
        try (TenantDirectory directory = TenantDirectory.start(config(), "test-directory-3", readers)) {
            assertThat(directory.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            List<Long> micros = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String tenant = String.format("c0000000-0000-4000-8000-%012d", i);
                write(entry(tenant, TenantStatus.OFFBOARDED, T0));
                long start = System.nanoTime();
                directory.syncAsync(tenant).get(10, TimeUnit.SECONDS);
                micros.add((System.nanoTime() - start) / 1000);
                // No waiting: the barrier alone makes the acknowledged write visible.
                assertThat(directory.isOffboarded(tenant)).isTrue();
            }
            System.out.printf("TopicMirror.syncAsync(key) after a write, in µs: %s%n", micros);
        }
    }

    @Test
    void theBarrierWaitsForATransactionCommittedBehindOneStillOpen() throws Exception {
        Map<String, String> seen = new java.util.concurrent.ConcurrentHashMap<>();
        try (TopicMirror<Subscription> mirror = subscriptionsMirror("test-mirror", seen);
                var open = transactional("open");
                var committed = transactional("committed")) {
            assertThat(mirror.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            // Same partition for both (partition 0): the committed record lands behind the open one.
            open.beginTransaction();
            open.send(new ProducerRecord<>(Topics.SUBSCRIPTIONS.name(), 0, "x", subscription("x")))
                    .get();
            committed.beginTransaction();
            committed
                    .send(new ProducerRecord<>(Topics.SUBSCRIPTIONS.name(), 0, "y", subscription("y")))
                    .get();
            committed.commitTransaction();

            // "y" is committed but no read-committed reader can have it while "x" is open: the
            // barrier must not claim it has.
            var barrier = mirror.syncAsync();
            assertThatThrownBy(() -> barrier.get(500, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
            assertThat(seen).doesNotContainKey("y");

            open.commitTransaction();
            barrier.get(10, TimeUnit.SECONDS); // the same barrier, released once "x" commits
            assertThat(seen).containsKeys("x", "y");
        }
    }

    @Test
    void anIdleMirrorFetchesRarelyAndAWaitingBarrierIsReadByTheEagerReader() throws Exception {
        Map<String, String> seen = new java.util.concurrent.ConcurrentHashMap<>();
        try (TopicMirror<Subscription> mirror = subscriptionsMirror("test-mirror-idle", seen);
                var open = transactional("open-idle")) {
            assertThat(mirror.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            double idleBefore = fetches("test-mirror-idle-[0-9]+");
            double eagerBefore = fetches("test-mirror-idle-eager-[0-9]+");
            // Idle, the reader fetches again as soon as the broker answers its last fetch, which it holds
            // up to 500 ms: some 2 fetches a second (a 20 ms wait, as the mirrors had before, made 50).
            long start = System.nanoTime();
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> fetches("test-mirror-idle-[0-9]+") - idleBefore >= 4);
            double seconds = (System.nanoTime() - start) / 1e9;
            double idleFetches = fetches("test-mirror-idle-[0-9]+") - idleBefore;
            assertThat(idleFetches / seconds).as("idle fetches a second").isLessThan(10);
            assertThat(fetches("test-mirror-idle-eager-[0-9]+")).isEqualTo(eagerBefore);

            // A barrier behind an open transaction waits; the eager reader reads meanwhile, and the
            // record is handed over once the transaction commits.
            open.beginTransaction();
            open.send(new ProducerRecord<>(Topics.SUBSCRIPTIONS.name(), 0, "late", subscription("late")))
                    .get();
            var barrier = mirror.syncAsync();
            await().atMost(Duration.ofSeconds(10)).until(() -> fetches("test-mirror-idle-eager-[0-9]+") > eagerBefore);
            assertThat(barrier).isNotDone();
            open.commitTransaction();
            barrier.get(10, TimeUnit.SECONDS);
            assertThat(seen).containsKey("late");
        }
    }

    /**
     * Fetch requests the mirror clients whose id matches {@code clientId} have sent, from the Kafka
     * client's own metrics (JMX).
     */
    private static double fetches(String clientId) throws Exception {
        var server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        double total = 0;
        for (var name : server.queryNames(
                new javax.management.ObjectName("kafka.consumer:type=consumer-fetch-manager-metrics,client-id=*"),
                null)) {
            if (name.getKeyProperty("client-id").matches(clientId)) {
                total += ((Number) server.getAttribute(name, "fetch-total")).doubleValue();
            }
        }
        return total;
    }

    @Test
    void aBarrierForOneKeyWaitsOnlyForThePartitionThatHoldsIt() throws Exception {
        Map<String, String> seen = new java.util.concurrent.ConcurrentHashMap<>();
        try (TopicMirror<Subscription> mirror = subscriptionsMirror("test-mirror-keys", seen);
                var open = transactional("open-elsewhere");
                var plain = new KafkaProducer<>(
                        Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()),
                        Topics.SUBSCRIPTIONS.keySerde().serializer(),
                        Topics.SUBSCRIPTIONS.valueSerde().serializer())) {
            assertThat(mirror.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            // Two keys on different partitions, as the producer places them.
            Map<Integer, String> keyOf = new java.util.HashMap<>();
            for (int i = 0; keyOf.size() < 2; i++) {
                String key = "k" + i;
                int partition = plain.send(new ProducerRecord<>(Topics.SUBSCRIPTIONS.name(), key, subscription(key)))
                        .get()
                        .partition();
                keyOf.putIfAbsent(partition, key);
            }
            String quiet = keyOf.get(0);
            String busy = keyOf.get(1);
            open.beginTransaction();
            open.send(new ProducerRecord<>(Topics.SUBSCRIPTIONS.name(), busy, subscription(busy + "-open")))
                    .get();
            plain.send(new ProducerRecord<>(Topics.SUBSCRIPTIONS.name(), quiet, subscription(quiet + "-2")))
                    .get();

            // The open transaction sits on the other partition: the barrier for "quiet" passes.
            mirror.syncAsync(quiet).get(10, TimeUnit.SECONDS);
            assertThat(seen.get(quiet)).contains(quiet + "-2");
            // The barrier for "busy" waits for its partition's open transaction.
            var busyRead = mirror.syncAsync(busy);
            assertThat(busyRead).failsWithin(Duration.ofMillis(500));
            open.commitTransaction();
            mirror.syncAsync(busy).get(10, TimeUnit.SECONDS);
            assertThat(seen.get(busy)).contains(busy + "-open");
        }
    }

    /** A mirror of the subscriptions topic that puts each record it hands over into {@code seen}. */
    private TopicMirror<Subscription> subscriptionsMirror(String name, Map<String, String> seen) {
        return TopicMirror.start(
                Topics.SUBSCRIPTIONS, config(), name, readers, (id, s) -> seen.put(id, String.valueOf(s)));
    }

    private static KafkaProducer<String, Subscription> transactional(String id) {
        var producer = new KafkaProducer<>(
                Map.<String, Object>of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        broker.getBrokersAsString(),
                        ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                        "test-" + id),
                Topics.SUBSCRIPTIONS.keySerde().serializer(),
                Topics.SUBSCRIPTIONS.valueSerde().serializer());
        producer.initTransactions();
        return producer;
    }

    private static Subscription subscription(String id) {
        return new Subscription(
                "tenant", id, SubscriptionKind.ACTION, "delay", "job", "sealed", "host:443", T0, Map.of(), Map.of());
    }

    private static void write(TenantRegistration entry) throws Exception {
        producer.send(new ProducerRecord<>(Topics.TENANTS.name(), entry.tenantId(), entry))
                .get();
    }

    private static TenantRegistration entry(String tenant, TenantStatus status, Instant at) {
        return new TenantRegistration(tenant, status, "standard", TenantQuotas.none(), T0, at, "test");
    }

    private static Map<String, Object> config() {
        return Map.of("bootstrap.servers", broker.getBrokersAsString());
    }
}
