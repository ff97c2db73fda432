package io.flowgate.kafka;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/** One embedded KRaft broker for every test class of this module's test JVM, stopped when the JVM ends. */
final class TestBroker {

    private static EmbeddedKafkaKraftBroker broker;

    private TestBroker() {}

    /** The broker's bootstrap address, starting it on first use. */
    static synchronized String bootstrap() {
        if (broker == null) {
            broker = (EmbeddedKafkaKraftBroker) new EmbeddedKafkaKraftBroker(1, 1)
                    .brokerProperties(Map.of(
                            "transaction.state.log.replication.factor", "1",
                            "transaction.state.log.min.isr", "1"));
            broker.afterPropertiesSet();
            Runtime.getRuntime().addShutdownHook(new Thread(broker::destroy));
        }
        return broker.getBrokersAsString();
    }

    /** Creates {@code name} with {@code partitions} partitions on the broker. */
    static void createTopic(String name, int partitions) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                    .all()
                    .get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
