package io.flowgate.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.observation.Observation;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.support.micrometer.KafkaListenerObservation;
import org.springframework.kafka.support.micrometer.KafkaRecordReceiverContext;

/**
 * The consumer loop for records whose work finishes in any order: jobs that run for hours, callback
 * deliveries that wait on retries. Both the worker and the callback-dispatcher read through it.
 *
 * <p>Written on the plain Kafka consumer because spring-kafka's out-of-order acknowledgement pauses a
 * partition until every record of the previous poll is acknowledged, so one long piece of work would
 * stall its partition. Here polling goes on while work runs (no poll-interval trips), and each
 * partition commits only the offset below its oldest unfinished record ({@link ConsumedOffsets}):
 * whatever had not finished is read again after a crash or a rebalance (at least once).
 *
 * <p>Each record taken comes with a {@link Ticket}; the work calls {@link Ticket#done()} from any
 * thread once the record's outcome is durable. A record that cannot be deserialized, and one whose
 * {@link Work#take} throws, is skipped and counted ({@link SkippedRecords}) and the loop goes on. If
 * the loop itself fails, {@link Readers} starts it again with a new consumer and a new {@link Work}
 * (from the committed offsets).
 *
 * <p>Each record taken is observed (Micrometer Observation, spring-kafka's listener convention) from
 * {@link Work#take} until its ticket is done, as a child of the trace context in the record's headers;
 * {@code take} runs in that observation's scope, so work that hands the record to other threads
 * carries the context along by capturing it there (a {@code ContextSnapshot}).
 *
 * <p>Everything but {@link Ticket#done()} runs on the loop's one thread.
 */
public final class WorkLoop<V> {

    private static final Logger log = LoggerFactory.getLogger(WorkLoop.class);

    /** What a service does with the records, one instance per life of the loop. */
    public interface Work<V> {

        /**
         * Takes a record (never a tombstone: those are done at once). The record is the work's until
         * its ticket is done.
         *
         * @return false to leave it for later (a delayed retry that is not due yet): the loop seeks its
         *     partition back to it and offers the partition's next records only after reading it again;
         *     the ticket is void. The work pauses the partition until then ({@link #beforePoll}).
         */
        boolean take(ConsumerRecord<String, V> record, Ticket ticket);

        /** Before each poll: start waiting work, pause or resume partitions. */
        default void beforePoll(Consumer<String, V> consumer) {}

        /** After each poll and its records were taken. Throwing ends this life of the loop. */
        default void afterPoll(Consumer<String, V> consumer) {}

        /**
         * How long the next poll may block. Work that finishes on other threads calls {@link
         * WorkLoop#wakeUp()} so that it is applied at once, not when the poll times out.
         */
        default Duration pollTimeout() {
            return Duration.ofMillis(200);
        }

        /**
         * {@code partitions} are being given up (revoked, or the loop is ending): stop their work.
         * Tickets done by the time this returns are committed; the rest are read again by the next
         * owner.
         */
        default void revoking(Collection<TopicPartition> partitions) {}

        /** {@code partitions} were lost to another member: stop their work, nothing is committed. */
        default void lost(Collection<TopicPartition> partitions) {}

        /** {@code partitions} were assigned. */
        default void assigned(Collection<TopicPartition> partitions) {}
    }

    /** One record taken: its work calls {@link #done()} once the outcome is durable. */
    public static final class Ticket {
        private final TopicPartition partition;
        private final long offset;
        private final long assignment;
        private final ConcurrentLinkedQueue<Ticket> doneQueue;
        private final SkippedRecords skipped;
        private final Observation observation;
        private final AtomicBoolean ended = new AtomicBoolean();

        private Ticket(
                TopicPartition partition,
                long offset,
                long assignment,
                ConcurrentLinkedQueue<Ticket> doneQueue,
                SkippedRecords skipped,
                Observation observation) {
            this.partition = partition;
            this.offset = offset;
            this.assignment = assignment;
            this.doneQueue = doneQueue;
            this.skipped = skipped;
            this.observation = observation;
        }

        /** The record's partition. */
        public TopicPartition partition() {
            return partition;
        }

        /** The record's offset. */
        public long offset() {
            return offset;
        }

        /**
         * Runs {@code action} in the record's observation (its trace), for work taken now and started
         * later, such as a job that waited for a free slot. Any thread.
         */
        public <T> T inScope(Supplier<T> action) {
            try (Observation.Scope scope = observation.openScope()) {
                return action.get();
            }
        }

        /** The record is done with: its offset may be committed. Any thread. */
        public void done() {
            endObservation(null);
            doneQueue.add(this);
        }

        /** The record could not be processed after all: counted as skipped, and done. Any thread. */
        public void skip(Throwable cause) {
            skipped.skipped(partition.topic(), partition.partition(), offset, "unprocessable", cause);
            endObservation(cause);
            done();
        }

        private void endObservation(@Nullable Throwable error) {
            if (ended.compareAndSet(false, true)) {
                if (error != null) {
                    observation.error(error);
                }
                observation.stop();
            }
        }
    }

    private final String name;
    private final Map<String, Object> config;
    private final List<String> topics;
    private final Supplier<Deserializer<V>> values;
    private final Supplier<Work<V>> work;
    private final Readers readers;
    private final MeterRegistry meters;
    private final String groupId;
    private final @Nullable String clientId;
    private @Nullable Reader reader;
    private volatile @Nullable Life life;

    /**
     * @param name the reader's name (thread, metrics, health)
     * @param consumerConfig the service's consumer settings; auto-commit is switched off,
     *     read-committed isolation and earliest reset are set, the group id defaults to {@code group}
     * @param group the consumer group, unless the settings name one
     * @param topics what to read
     * @param values the value deserializer (one per life)
     * @param work the work of one life of the loop, made afresh each time it starts
     */
    public WorkLoop(
            String name,
            Map<String, Object> consumerConfig,
            String group,
            Collection<String> topics,
            Supplier<Deserializer<V>> values,
            Supplier<Work<V>> work,
            Readers readers,
            MeterRegistry meters) {
        this.name = name;
        Map<String, Object> settings = new HashMap<>(consumerConfig);
        settings.putIfAbsent(ConsumerConfig.GROUP_ID_CONFIG, group);
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.config = Map.copyOf(settings);
        this.groupId = settings.get(ConsumerConfig.GROUP_ID_CONFIG).toString();
        Object client = settings.get(ConsumerConfig.CLIENT_ID_CONFIG);
        this.clientId = client == null ? null : client.toString();
        this.topics = List.copyOf(topics);
        this.values = values;
        this.work = work;
        this.readers = readers;
        this.meters = meters;
    }

    /** Starts reading on a thread of its own. */
    public void start() {
        reader = readers.start(name, reader -> {
            Life current = new Life(reader, work.get());
            life = current;
            current.run();
        });
    }

    /**
     * Makes the loop go round now instead of when its poll times out, so work that ended on another
     * thread (a slot freed for waiting work, a ticket done, a paused partition to resume) is applied at
     * once: with a 200 ms poll, a loop that waits for its poll to free slots runs at most its slot count
     * every 200 ms. Any thread; calls while one is pending are one.
     */
    public void wakeUp() {
        Life current = life;
        if (current != null) {
            current.wakeUp();
        }
    }

    /** Ends the loop (its work is asked to stop, what is done is committed), waiting up to {@code timeout}. */
    public void stop(Duration timeout) {
        Reader current = reader;
        if (current != null) {
            current.stop(timeout);
        }
    }

    /** One life of the loop: its own consumer, offsets and work. */
    private final class Life {
        private final Reader reader;
        private final Work<V> work;
        private final SkippedRecords skipped;
        private final KafkaConsumer<String, V> consumer;
        private final ConsumedOffsets offsets = new ConsumedOffsets();
        private final ConcurrentLinkedQueue<Ticket> doneQueue = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean woken = new AtomicBoolean();
        /**
         * Which assignment of a partition a ticket belongs to: a ticket done after its partition was
         * given up and assigned again must not finish the offset a new ticket holds.
         */
        private final Map<TopicPartition, Long> assignments = new HashMap<>();

        private long nextAssignment;

        Life(Reader reader, Work<V> work) {
            this.reader = reader;
            this.work = work;
            this.skipped = readers.skipped(reader.name());
            this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), values.get());
        }

        void run() {
            KafkaClientMetrics metrics = new KafkaClientMetrics(consumer);
            metrics.bindTo(meters);
            reader.attach(consumer);
            try {
                consumer.subscribe(topics, new Rebalance());
                while (!reader.isStopping()) {
                    try {
                        round();
                    } catch (WakeupException e) {
                        if (reader.isStopping()) {
                            throw e;
                        }
                        // woken up (wakeUp) in a blocking call: go round at once
                    }
                }
            } catch (WakeupException e) {
                if (!reader.isStopping()) {
                    throw e;
                }
            } finally {
                try {
                    Set<TopicPartition> held = new HashSet<>(consumer.assignment());
                    held.addAll(assignments.keySet());
                    giveUp(held);
                } catch (RuntimeException e) {
                    log.warn("{} could not commit on close", name, e);
                } finally {
                    consumer.close(Duration.ofSeconds(10));
                    metrics.close();
                }
            }
        }

        private void round() {
            woken.set(false);
            work.beforePoll(consumer);
            applyDone();
            offsets.commitAll(consumer);
            Set<TopicPartition> deferred = new HashSet<>();
            for (ConsumerRecord<String, V> record : skipped.poll(consumer, work.pollTimeout())) {
                take(record, deferred);
            }
            work.afterPoll(consumer);
            reader.up();
        }

        void wakeUp() {
            if (woken.compareAndSet(false, true)) {
                reader.wakeUp();
            }
        }

        /** Takes one record; a partition left for later is sought back and skipped for the rest of the batch. */
        private void take(ConsumerRecord<String, V> record, Set<TopicPartition> deferred) {
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            if (deferred.contains(partition)) {
                return;
            }
            long assignment = assignments.computeIfAbsent(partition, p -> nextAssignment++);
            if (record.value() == null) {
                offsets.started(partition, record.offset());
                new Ticket(partition, record.offset(), assignment, doneQueue, skipped, Observation.NOOP).done();
                return;
            }
            Observation observation = KafkaListenerObservation.LISTENER_OBSERVATION.observation(
                    null,
                    KafkaListenerObservation.DefaultKafkaListenerObservationConvention.INSTANCE,
                    () -> new KafkaRecordReceiverContext(record, name, clientId, groupId, () -> null),
                    readers.observations());
            Ticket ticket = new Ticket(partition, record.offset(), assignment, doneQueue, skipped, observation.start());
            boolean taken;
            try (Observation.Scope scope = observation.openScope()) {
                taken = work.take(record, ticket);
            } catch (RuntimeException e) {
                offsets.started(partition, record.offset());
                ticket.skip(e);
                return;
            }
            if (taken) {
                offsets.started(partition, record.offset());
            } else {
                ticket.endObservation(null); // void: the record is taken again later, observed afresh
                consumer.seek(partition, record.offset());
                deferred.add(partition);
            }
        }

        private void applyDone() {
            for (Ticket ticket; (ticket = doneQueue.poll()) != null; ) {
                Long current = assignments.get(ticket.partition);
                if (current != null && current == ticket.assignment) {
                    offsets.finished(ticket.partition, ticket.offset);
                }
            }
        }

        /** Stops the work of {@code partitions}, commits what is done, and forgets them. */
        private void giveUp(Collection<TopicPartition> partitions) {
            work.revoking(partitions);
            applyDone();
            try {
                offsets.commit(consumer, partitions);
            } catch (WakeupException e) {
                offsets.commit(consumer, partitions); // the stop signal arrived outside poll()
            }
            forget(partitions);
        }

        private void forget(Collection<TopicPartition> partitions) {
            offsets.forget(partitions);
            partitions.forEach(assignments::remove);
        }

        private final class Rebalance implements ConsumerRebalanceListener {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                if (!partitions.isEmpty()) {
                    log.info("{}: partitions revoked: {}", name, partitions);
                    giveUp(new HashSet<>(partitions));
                }
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                log.warn("{}: partitions lost: {}", name, partitions);
                work.lost(partitions);
                forget(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                log.info("{}: partitions assigned: {}", name, partitions);
                work.assigned(partitions);
            }
        }
    }
}
