package io.flowgate.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a JVM's throughput grew from its first load until it was steady: saturation throughput in
 * consecutive windows of equal length, and when it was steady.
 *
 * <p>Steady means the last {@link #STEADY_WINDOWS} windows each lie within {@link #TOLERANCE} of
 * their mean; the steady throughput is that mean. The warm-up target reads the curve: how
 * long until a window first reached 80 % of the steady throughput.
 *
 * @param curve throughput (per second) of each window, in order
 * @param window length of each window
 * @param steady whether the curve became steady before the warm-up's time was up
 */
record WarmUp(List<Double> curve, Duration window, boolean steady) {

    static final int STEADY_WINDOWS = 3;
    static final double TOLERANCE = 0.05;

    /** Whether {@code curve} ends steady. */
    static boolean isSteady(List<Double> curve) {
        if (curve.size() < STEADY_WINDOWS) {
            return false;
        }
        List<Double> last = curve.subList(curve.size() - STEADY_WINDOWS, curve.size());
        double mean = last.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        return mean > 0 && last.stream().allMatch(v -> Math.abs(v - mean) <= TOLERANCE * mean);
    }

    /** The mean of the last windows: the warm throughput (the curve's end when it never settled). */
    double steadyThroughput() {
        List<Double> last = curve.subList(Math.max(0, curve.size() - STEADY_WINDOWS), curve.size());
        return last.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }

    /** From the first load to the end of the first window at {@code share} of the warm throughput. */
    Duration timeTo(double share) {
        double goal = share * steadyThroughput();
        for (int i = 0; i < curve.size(); i++) {
            if (curve.get(i) >= goal) {
                return window.multipliedBy(i + 1);
            }
        }
        return window.multipliedBy(curve.size());
    }

    /** As a report figure. */
    Map<String, Object> figure() {
        Map<String, Object> figure = new LinkedHashMap<>();
        figure.put(
                "tool",
                "closed loop, saturation in windows of " + window.toSeconds() + " s until " + STEADY_WINDOWS
                        + " windows lie within " + Math.round(TOLERANCE * 100) + " % of their mean");
        figure.put("steady", steady);
        figure.put("warmThroughputPerSecond", Math.round(steadyThroughput() * 10) / 10.0);
        figure.put("secondsToSteady", window.multipliedBy(curve.size()).toSeconds());
        figure.put("secondsTo80PercentOfWarm", timeTo(0.8).toSeconds());
        figure.put(
                "curvePerSecond",
                curve.stream().map(v -> Math.round(v * 10) / 10.0).toList());
        return figure;
    }
}
