package io.flowgate.worker.config;

import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the worker.
 *
 * @param maxConcurrentJobs jobs run at once by this worker
 * @param tenantConcurrency jobs of one tenant run at once by this worker (its fair share); the others
 *     wait while tenants take turns
 * @param maxWaitingJobs jobs read and waiting for a slot; past it, consumption pauses
 * @param maxResultSize largest result a job may have (its JSON); a larger one fails the job with a
 *     {@code result-too-large} problem
 * @param maxResultDepth deepest nesting a job's result may have; a deeper one fails the job with a
 *     {@code result-too-deep} problem
 * @param maxCpuTime CPU time a job may use; past it the job is stopped and fails with {@code
 *     job-cpu-limit}
 * @param pollTimeout how long one consumer poll blocks
 * @param handoverGrace on shutdown or rebalance, how long running jobs get to stop before the
 *     partition is released (their offsets stay uncommitted, so they run again elsewhere)
 * @param progressInterval least time between two progress writes of one job
 * @param cancelMemory how far back cancel requests are read at start-up (at least the job deadline)
 * @param catchUpTimeout how long start-up waits to have read the cancel requests and the tenant
 *     registry before taking jobs
 */
@ConfigurationProperties("flowgate.worker")
@Validated
public record WorkerProperties(
        @DefaultValue("64") @Positive int maxConcurrentJobs,
        @DefaultValue("16") @Positive int tenantConcurrency,
        @DefaultValue("1000") @Positive int maxWaitingJobs,
        @DefaultValue("512KB") DataSize maxResultSize,
        @DefaultValue("128") @Positive int maxResultDepth,
        @DefaultValue("30s") @DurationMin(millis = 1) Duration maxCpuTime,
        @DefaultValue("200ms") @DurationMin(millis = 1) Duration pollTimeout,
        @DefaultValue("10s") Duration handoverGrace,
        @DefaultValue("1s") Duration progressInterval,
        @DefaultValue("25h") Duration cancelMemory,
        @DefaultValue("30s") Duration catchUpTimeout) {}
