package io.flowgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpMethod;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The harness starts, drives real HTTP load in both models, and writes a well-formed result, in seconds. */
class BenchSmokeTests {

    @Test
    void aSmokeRunAgainstTheBareBaselineWritesAWellFormedResult(@TempDir Path results) throws Exception {
        int port;
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Profile profile = Profile.named("smoke");
        try (var server = BaselineServer.start("bare", port, "", "");
                var load = new LoadGenerator(profile.inFlight())) {
            var request = new LoadGenerator.Request(
                    HttpMethod.POST,
                    "http://127.0.0.1:" + port + "/accept",
                    Map.of("Content-Type", "application/json"),
                    "{\"a\":1}");
            var warmUp =
                    load.warmUntilSteady(request, profile.inFlight(), profile.warmWindow(), profile.maxWarmUp(), 202);
            var saturation = load.saturate(request, profile.inFlight(), profile.saturation(), 202);
            var fixed = load.fixedRate(request, profile.pollRate(), profile.fixedRate(), 202);

            assertThat(warmUp.curve()).hasSizeGreaterThanOrEqualTo(WarmUp.STEADY_WINDOWS);
            assertThat(warmUp.curve())
                    .allSatisfy(throughput -> assertThat(throughput).isPositive());
            assertThat(saturation.ok()).isPositive();
            assertThat(saturation.errors()).isZero();
            assertThat(fixed.ok()).isEqualTo(fixed.sent());
            assertThat(fixed.percentileMillis(99)).isPositive();

            Report report = new Report(profile.name(), Bench.machine(), Map.of("profile", profile.toString()));
            report.ceiling("webflux-bare", Report.figure("closed", saturation));
            report.flowgate("example", Report.figure("open", fixed));
            report.compare(
                    "example vs bare", "req/s", fixed.throughput(), saturation.throughput(), null, "open vs closed");
            Path json = report.write(results, "smoke");

            JsonNode written = JsonMapper.builder().build().readTree(Files.readString(json));
            assertThat(written.get("machine").get("cores").asInt()).isPositive();
            assertThat(written.get("ceilings").get("webflux-bare").get("p99Ms").asDouble())
                    .isPositive();
            assertThat(written.get("comparisons").get(0).get("ratio").isNumber())
                    .isTrue();
            assertThat(Files.readString(results.resolve("smoke.md"))).contains("| example vs bare (req/s) |");
        }
    }
}
