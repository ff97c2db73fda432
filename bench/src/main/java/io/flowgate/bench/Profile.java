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
 * @param acceptLoads arrival rates for the accept-path latency, as fractions of the measured
 *     saturation throughput (a rate above capacity only measures a growing queue)
 * @param pollRate arrival rate for status polls
 * @param endToEndRates arrival rates for the synchronous end-to-end path
 * @param kafkaRecords records sent for the Kafka produce ceiling
 * @param warmWindow length of each window of the warm-up curve (accept path and WebFlux ceilings)
 * @param maxWarmUp longest warm-up before measuring, steady or not (reported as such)
 */
record Profile(
        String name,
        Duration warmUp,
        Duration saturation,
        Duration fixedRate,
        int inFlight,
        List<Double> acceptLoads,
        int pollRate,
        List<Integer> endToEndRates,
        int kafkaRecords,
        Duration warmWindow,
        Duration maxWarmUp) {

    static Profile named(String name) {
        return switch (name) {
            case "short" ->
                new Profile(
                        name,
                        seconds(10),
                        seconds(10),
                        seconds(8),
                        64,
                        List.of(0.5, 0.9),
                        200,
                        List.of(25, 100),
                        100_000,
                        seconds(5),
                        seconds(40));
            case "long" ->
                new Profile(
                        name,
                        seconds(60),
                        seconds(30),
                        seconds(30),
                        128,
                        List.of(0.25, 0.5, 0.75, 0.9),
                        500,
                        List.of(25, 100, 200),
                        500_000,
                        seconds(10),
                        seconds(300));
            case "smoke" ->
                new Profile(
                        name,
                        Duration.ofMillis(300),
                        Duration.ofMillis(500),
                        Duration.ofMillis(500),
                        8,
                        List.of(0.5),
                        100,
                        List.of(10),
                        1_000,
                        Duration.ofMillis(300),
                        Duration.ofSeconds(1));
            default -> throw new IllegalArgumentException("unknown profile '" + name + "' (short, long)");
        };
    }

    private static Duration seconds(long seconds) {
        return Duration.ofSeconds(seconds);
    }
}
