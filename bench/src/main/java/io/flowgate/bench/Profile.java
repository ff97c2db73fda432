package io.flowgate.bench;

import java.time.Duration;
import java.util.List;

/**
 * How long and how hard a run pushes.
 *
 * @param name profile name, part of the result file name
 * @param warmUp load before anything is measured (the JIT needs it)
 * @param saturation length of each saturation (closed-loop) measurement
 * @param fixedRate length of each fixed-rate (open-model) measurement
 * @param inFlight requests in flight for saturation
 * @param acceptRates arrival rates (per second) for the accept-path latency
 * @param pollRate arrival rate for status polls
 * @param endToEndRates arrival rates for the synchronous end-to-end path
 * @param kafkaRecords records sent for the Kafka produce ceiling
 */
record Profile(
        String name,
        Duration warmUp,
        Duration saturation,
        Duration fixedRate,
        int inFlight,
        List<Integer> acceptRates,
        int pollRate,
        List<Integer> endToEndRates,
        int kafkaRecords) {

    static Profile named(String name) {
        return switch (name) {
            case "short" ->
                new Profile(
                        name,
                        Duration.ofSeconds(20),
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(10),
                        64,
                        List.of(250, 1000),
                        1000,
                        List.of(25, 100),
                        100_000);
            case "long" ->
                new Profile(
                        name,
                        Duration.ofSeconds(60),
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(30),
                        128,
                        List.of(250, 1000, 2000, 4000),
                        2000,
                        List.of(25, 100, 200, 400),
                        500_000);
            case "smoke" ->
                new Profile(
                        name,
                        Duration.ofMillis(300),
                        Duration.ofMillis(500),
                        Duration.ofMillis(500),
                        8,
                        List.of(100),
                        100,
                        List.of(10),
                        1_000);
            default -> throw new IllegalArgumentException("unknown profile '" + name + "' (short, long)");
        };
    }
}
