package io.flowgate.worker.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the worker.
 *
 * @param maxConcurrentJobs jobs run at once by this worker; past it, consumption pauses
 * @param pollTimeout how long one consumer poll blocks
 * @param handoverGrace on shutdown or rebalance, how long running jobs get to stop before the
 *     partition is released (their offsets stay uncommitted, so they run again elsewhere)
 * @param progressInterval least time between two progress writes of one job
 * @param cancelMemory how far back cancel requests are read at start-up (at least the job deadline)
 * @param catchUpTimeout how long start-up waits to have read the cancel requests and the tenant
 *     registry before taking jobs
 */
@ConfigurationProperties("flowgate.worker")
public record WorkerProperties(
        @DefaultValue("64") int maxConcurrentJobs,
        @DefaultValue("200ms") Duration pollTimeout,
        @DefaultValue("10s") Duration handoverGrace,
        @DefaultValue("1s") Duration progressInterval,
        @DefaultValue("25h") Duration cancelMemory,
        @DefaultValue("30s") Duration catchUpTimeout) {}
