package io.flowgate.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.flowgate.devstack.LocalStack;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.json.JsonMapper;

/**
 * The chart's Kafka access is enough, and is enforced: a broker with SASL and Kafka's standard
 * authorizer, where each service logs in (SCRAM-SHA-512, as Strimzi's KafkaUsers do) with exactly the
 * ACLs of {@code charts/flowgate/files/kafka/acls.yaml} and finds exactly the topics of {@code
 * files/kafka/topics.yaml} (the services create none, as with Strimzi). Every pattern runs on it: a
 * tenant registered, an async job polled to its end, a job cancelled, a webhook action whose callback
 * is retried through a retry tier, an unsubscribe, and a webhook trigger fed by an event. A user
 * without an ACL for a topic is refused, so the check can fail.
 */
class KafkaAclSystemTests {

    private static final Path CHART = Path.of("../charts/flowgate/files/kafka");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Map<String, String> USERS =
            Map.of("api", "flowgate-api", "worker", "flowgate-worker", "dispatcher", "flowgate-dispatcher");

    @Test
    void everyPatternRunsWithTheChartsAclsAndNothingMore() throws Exception {
        LocalStack stack = SharedStack.get();
        try (var cluster = saslCluster()) {
            String bootstrap = cluster.bootstrapServers();
            try (Admin admin = Admin.create(superUser(bootstrap))) {
                prepare(admin);
            }
            assertThatThrownBy(() -> write(bootstrap, "worker", "flowgate.tenants.v1"))
                    .as("a topic outside a user's ACLs is refused")
                    .hasCauseInstanceOf(TopicAuthorizationException.class);

            List<ConfigurableApplicationContext> services = new ArrayList<>();
            try (Receiver receiver = new Receiver()) {
                services.add(LocalStack.startOtherWorker(bootstrap, settings("worker")));
                ConfigurableApplicationContext api = stack.startOtherApi(bootstrap, settings("api"));
                services.add(api);
                services.add(stack.startOtherDispatcher(bootstrap, settings("dispatcher")));
                String apiUrl = "http://127.0.0.1:" + LocalStack.port(api);
                var client = Http.testClient(apiUrl);

                String tenant = Tokens.newTenantId();
                new io.flowgate.systemtest.Admin(stack, apiUrl).register(tenant, "{\"plan\":\"local\"}");
                String flows = Tokens.forTenant(stack, tenant);
                await().atMost(Duration.ofSeconds(60)).until(() -> Catalog.catalogHas(client, flows));

                // An async job, polled to its end.
                var accepted = Jobs.submit(
                        client,
                        flows,
                        "jsonata-transform",
                        "{\"expression\":\"a\",\"document\":{\"a\":7}}",
                        "Prefer",
                        "respond-async");
                assertThat(accepted.getStatus().value()).isEqualTo(202);
                String job = accepted.getResponseHeaders().getLocation().getPath();
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> client.get()
                                        .uri(job)
                                        .headers(h -> h.setBearerAuth(flows))
                                        .exchange()
                                        .returnResult(String.class)
                                        .getStatus()
                                        .value()
                                == 200);

                // A long job, cancelled.
                var slow = Jobs.submit(client, flows, "delay", "{\"seconds\":60}", "Prefer", "respond-async");
                String slowJob = slow.getResponseHeaders().getLocation().getPath();
                client.delete()
                        .uri(slowJob)
                        .headers(h -> h.setBearerAuth(flows))
                        .exchange()
                        .expectStatus()
                        .isNoContent();

                // A webhook action whose first callback fails: the retry goes through a retry tier.
                receiver.script("/acl-action", 500, 200);
                var subscribed = client.post()
                        .uri("/api/v1/operations/{operation}/subscriptions", "jsonata-transform")
                        .headers(h -> h.setBearerAuth(flows))
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue("{\"callbackUrl\":"
                                + JSON.writeValueAsString(receiver.url("/acl-action", "x"))
                                + ",\"input\":{\"expression\":\"a\",\"document\":{\"a\":1}}}")
                        .exchange()
                        .expectStatus()
                        .isCreated()
                        .returnResult(String.class);
                receiver.await("/acl-action", 2, Duration.ofSeconds(60));
                URI subscription = subscribed.getResponseHeaders().getLocation();
                client.delete()
                        .uri(subscription.getRawPath())
                        .headers(h -> h.setBearerAuth(flows))
                        .exchange()
                        .expectStatus()
                        .isNoContent();

                // A webhook trigger, fed by an event.
                client.post()
                        .uri("/api/v1/triggers/event-received/subscriptions")
                        .headers(h -> h.setBearerAuth(flows))
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(
                                "{\"callbackUrl\":" + JSON.writeValueAsString(receiver.url("/acl-trigger", "x")) + "}")
                        .exchange()
                        .expectStatus()
                        .isCreated();
                String events = Tokens.forTenant(stack, tenant, "Flowgate.Events");
                client.post()
                        .uri("/api/v1/events")
                        .headers(h -> h.setBearerAuth(events))
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue("{\"type\":\"acl.checked\",\"data\":{\"n\":1}}")
                        .exchange()
                        .expectStatus()
                        .isAccepted();
                receiver.await("/acl-trigger", 1, Duration.ofSeconds(60));
            } finally {
                services.reversed().forEach(ConfigurableApplicationContext::close);
            }
        }
    }

    /** One broker with SASL (PLAIN for its admin, SCRAM-SHA-512 for the services) and the standard authorizer. */
    private static KafkaClusterTestKit saslCluster() throws Exception {
        var nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                .setControllerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                .build();
        var cluster = new KafkaClusterTestKit.Builder(nodes)
                .setConfigProp("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512")
                .setConfigProp(
                        "listener.name." + nodes.brokerListenerName().value().toLowerCase(java.util.Locale.ROOT)
                                + ".scram-sha-512.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;")
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("auto.create.topics.enable", "false")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        return cluster;
    }

    /** The broker's own administrator (the test kit's PLAIN super user), as the Strimzi operator is. */
    private static Properties superUser(String bootstrap) {
        Properties config = new Properties();
        config.put("bootstrap.servers", bootstrap);
        config.put("security.protocol", "SASL_PLAINTEXT");
        config.put("sasl.mechanism", "PLAIN");
        config.put(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"plain-admin\""
                        + " password=\"plain-admin-secret\";");
        return config;
    }

    /** As Strimzi would: the users, their ACLs (from the chart) and the topics (from the chart). */
    @SuppressWarnings("unchecked")
    private static void prepare(Admin admin) throws Exception {
        List<UserScramCredentialUpsertion> users = new ArrayList<>();
        USERS.values()
                .forEach(user -> users.add(new UserScramCredentialUpsertion(
                        user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password(user))));
        admin.alterUserScramCredentials(new ArrayList<>(users)).all().get();

        Map<String, Map<String, Object>> access = new Yaml().load(Files.readString(CHART.resolve("acls.yaml")));
        List<AclBinding> acls = new ArrayList<>();
        access.forEach((service, rules) -> {
            String principal = "User:" + USERS.get(service);
            add(acls, principal, rules.get("read"), ResourceType.TOPIC, PatternType.LITERAL, AclOperation.READ);
            add(
                    acls,
                    principal,
                    rules.get("readPrefixes"),
                    ResourceType.TOPIC,
                    PatternType.PREFIXED,
                    AclOperation.READ);
            add(acls, principal, rules.get("write"), ResourceType.TOPIC, PatternType.LITERAL, AclOperation.WRITE);
            add(
                    acls,
                    principal,
                    rules.get("writePrefixes"),
                    ResourceType.TOPIC,
                    PatternType.PREFIXED,
                    AclOperation.WRITE);
            add(
                    acls,
                    principal,
                    rules.get("ownedTopicPrefixes"),
                    ResourceType.TOPIC,
                    PatternType.PREFIXED,
                    AclOperation.ALL);
            add(acls, principal, rules.get("groups"), ResourceType.GROUP, PatternType.LITERAL, AclOperation.READ);
            add(
                    acls,
                    principal,
                    rules.get("transactionalIdPrefixes"),
                    ResourceType.TRANSACTIONAL_ID,
                    PatternType.PREFIXED,
                    AclOperation.WRITE);
        });
        admin.createAcls(acls).all().get();

        Map<String, Map<String, Object>> topics = new Yaml().load(Files.readString(CHART.resolve("topics.yaml")));
        List<NewTopic> newTopics = new ArrayList<>();
        topics.forEach((name, config) -> {
            Map<String, String> settings = new HashMap<>();
            config.forEach((key, value) -> settings.put(key, String.valueOf(value)));
            newTopics.add(new NewTopic(name, 3, (short) 1).configs(settings));
        });
        admin.createTopics(newTopics).all().get();
    }

    private static void add(
            List<AclBinding> acls,
            String principal,
            Object names,
            ResourceType type,
            PatternType pattern,
            AclOperation operation) {
        if (names == null) {
            return;
        }
        for (Object name : (List<?>) names) {
            acls.add(new AclBinding(
                    new ResourcePattern(type, name.toString(), pattern),
                    new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW)));
        }
    }

    private static String password(String user) {
        return user + "-secret";
    }

    /** The Kafka settings of a service logged in as its user, on the chart's topics only. */
    private static Map<String, Object> settings(String service) {
        Map<String, Object> settings = new HashMap<>();
        login(service).forEach((key, value) -> settings.put("spring.kafka.properties." + key, value));
        settings.put("spring.kafka.admin.auto-create", "false");
        // The chart's retry tiers: the topics it declares.
        settings.put("flowgate.dispatcher.retry-tiers", "5s,1m,10m,1h");
        settings.put("flowgate.kafka.partitions", "3");
        return settings;
    }

    /** The Kafka client settings that log in as {@code service}'s user. */
    private static Map<String, String> login(String service) {
        String user = USERS.get(service);
        return Map.of(
                "security.protocol",
                "SASL_PLAINTEXT",
                "sasl.mechanism",
                "SCRAM-SHA-512",
                "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                        + password(user) + "\";");
    }

    /** Writes one record as {@code service}'s user. */
    private static void write(String bootstrap, String service, String topic) throws Exception {
        Properties config = new Properties();
        config.putAll(login(service));
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "k", "v")).get();
        }
    }
}
