package io.flowgate.api.job;

import io.flowgate.contracts.JobStatus;
import io.flowgate.contracts.Topics;
import io.flowgate.contracts.TriggerEvent;
import io.flowgate.contracts.Triggers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job-status view, a RocksDB store keyed by job id, built from three co-partitioned topics:
 *
 * <ul>
 *   <li>{@code flowgate.jobs}: a job the view does not know yet is ACCEPTED (the API writes only the
 *       job; its first status follows from it);
 *   <li>{@code flowgate.job-control}: a cancel request makes a job that has not finished CANCELLED;
 *   <li>{@code flowgate.job-status}: what the workers report.
 * </ul>
 *
 * <p>A tombstone in {@code flowgate.job-status} removes a job (offboarding writes them), and records of
 * an offboarded tenant are dropped, so a late worker report cannot bring a purged job back.
 *
 * <p>Two rules make poll answers stable (docs/architecture.md, api-service): the first terminal status of a
 * job wins and is never replaced (a late worker retry or a cancel racing a success cannot change a
 * final answer), and an entry is purged only once its retention has passed.
 *
 * <p>The first terminal status of a job is also where its {@code job-completed} trigger event is
 * produced, to {@code flowgate.events}: whoever reported it (the worker, even one that crashed right
 * after, a cancel, the expiry), the view decides it exactly once. The API's Kafka Streams run with
 * exactly-once processing, so the store's change and the event are written together or not at all.
 */
final class JobStatusTopology {

    private static final Logger log = LoggerFactory.getLogger(JobStatusTopology.class);

    /** Name of the status store. */
    static final String STORE = "job-status";

    private JobStatusTopology() {}

    /**
     * Adds the view to {@code builder}.
     *
     * @param retention how long after its last change a job stays queryable
     * @param purgeEvery how often expired entries are purged
     * @param listener told of every status the view holds, applies or removes
     * @param offboarded whether a tenant was offboarded (its records are dropped)
     */
    static void addTo(
            StreamsBuilder builder,
            Duration retention,
            Duration purgeEvery,
            Listener listener,
            Predicate<String> offboarded,
            Clock clock) {
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(STORE), Topics.JOB_STATUS.keySerde(), Topics.JOB_STATUS.valueSerde()));
        KStream<String, Change> submitted = builder.stream(
                        Topics.JOBS.name(), Consumed.with(Topics.JOBS.keySerde(), Topics.JOBS.valueSerde()))
                .mapValues(job -> job == null ? null : new Change(JobStatus.accepted(job), true));
        KStream<String, Change> cancelled = builder.stream(
                        Topics.JOB_CONTROL.name(),
                        Consumed.with(Topics.JOB_CONTROL.keySerde(), Topics.JOB_CONTROL.valueSerde()))
                .mapValues(request -> request == null ? null : new Change(JobStatus.cancelled(request), false));
        KStream<String, Change> reported = builder.stream(
                        Topics.JOB_STATUS.name(),
                        Consumed.with(Topics.JOB_STATUS.keySerde(), Topics.JOB_STATUS.valueSerde()))
                .mapValues(status -> status == null ? null : new Change(status, false));
        submitted
                .merge(cancelled)
                .merge(reported)
                .process(() -> new StatusProcessor(retention, purgeEvery, listener, offboarded, clock), STORE)
                .to(Topics.EVENTS.name(), Produced.with(Topics.EVENTS.keySerde(), Topics.EVENTS.valueSerde()));
    }

    /** Told of the view's changes, on the stream thread. */
    interface Listener {

        /** The view holds or now applies {@code status} (also called for every entry after a restore). */
        void applied(JobStatus status);

        /** The view no longer holds the job (purged, tombstoned, or its tenant offboarded). */
        void removed(JobStatus last);

        /**
         * This replica no longer holds the job: its partition moved to another replica (which is told
         * {@link #applied} as it takes the partition over) or the replica is stopping.
         */
        void released(JobStatus status);
    }

    /**
     * A status to apply; a tombstone is a null change.
     *
     * @param status the status
     * @param onlyIfNew apply only when the view has nothing for the job yet
     */
    record Change(JobStatus status, boolean onlyIfNew) {}

    /** Applies one status record to the store, and forwards a job's job-completed event once. */
    static final class StatusProcessor implements Processor<String, Change, String, TriggerEvent> {

        private final Duration retention;
        private final Duration purgeEvery;
        private final Listener listener;
        private final Predicate<String> offboarded;
        private final Clock clock;

        @SuppressWarnings("NullAway.Init") // set by init(), which Kafka Streams calls before process()
        private KeyValueStore<String, JobStatus> store;

        @SuppressWarnings("NullAway.Init")
        private ProcessorContext<String, TriggerEvent> context;

        StatusProcessor(
                Duration retention, Duration purgeEvery, Listener listener, Predicate<String> offboarded, Clock clock) {
            this.retention = retention;
            this.purgeEvery = purgeEvery;
            this.listener = listener;
            this.offboarded = offboarded;
            this.clock = clock;
        }

        @Override
        public void init(ProcessorContext<String, TriggerEvent> context) {
            this.context = context;
            store = context.getStateStore(STORE);
            // The store was restored from its changelog without passing through process(): tell the
            // listener what it holds (jobs in flight are counted from it).
            try (KeyValueIterator<String, JobStatus> all = store.all()) {
                all.forEachRemaining(entry -> listener.applied(entry.value));
            }
            context.schedule(purgeEvery, PunctuationType.WALL_CLOCK_TIME, now -> purge(Instant.ofEpochMilli(now)));
        }

        @Override
        public void process(Record<String, Change> record) {
            JobStatus current = store.get(record.key());
            if (record.value() == null) {
                remove(record.key(), current);
                return;
            }
            JobStatus next = record.value().status();
            if (offboarded.test(next.tenantId())) {
                remove(record.key(), current);
                return;
            }
            if (current != null && record.value().onlyIfNew()) {
                return; // a job's first status never overrides what the view already knows
            }
            if (current != null && !current.tenantId().equals(next.tenantId())) {
                return; // a record can never move a job to another tenant
            }
            if (current != null && current.state().isTerminal()) {
                return; // the first final answer stays
            }
            store.put(record.key(), next);
            listener.applied(next);
            if (next.state().isTerminal()) {
                TriggerEvent completed = Triggers.jobCompleted(next, clock.instant());
                context.forward(new Record<>(
                        Topics.eventKey(next.tenantId(), Triggers.JOB_COMPLETED), completed, record.timestamp()));
            }
        }

        /** The task is closing (its partition moves away, or the replica stops): release what it held. */
        @Override
        public void close() {
            try (KeyValueIterator<String, JobStatus> all = store.all()) {
                all.forEachRemaining(entry -> listener.released(entry.value));
            } catch (RuntimeException e) {
                // A store closed under a failed task: the counts are rebuilt as tasks start again.
                log.warn("Could not release the jobs of a closing task", e);
            }
        }

        private void remove(String jobId, @Nullable JobStatus current) {
            if (current != null) {
                store.delete(jobId);
                listener.removed(current);
            }
        }

        private void purge(Instant now) {
            Instant cutoff = now.minus(retention);
            List<KeyValue<String, JobStatus>> expired = new ArrayList<>();
            try (KeyValueIterator<String, JobStatus> all = store.all()) {
                while (all.hasNext()) {
                    KeyValue<String, JobStatus> entry = all.next();
                    if (entry.value.updatedAt().isBefore(cutoff)) {
                        expired.add(entry);
                    }
                }
            }
            expired.forEach(entry -> remove(entry.key, entry.value));
        }
    }
}
