package io.flowgate.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * A Java Flight Recorder profile of one process while it is under load, summarised with the JDK's
 * own {@code jfr view hot-methods}: where the CPU time of the measured path goes, with no agent to
 * install. Both tools come with the JDK the benchmark runs on.
 */
final class Jfr {

    private final long pid;
    private final Path file;

    private Jfr(long pid, Path file) {
        this.pid = pid;
        this.file = file;
    }

    static Jfr start(long pid, Path file) throws IOException, InterruptedException {
        run(List.of(tool("jcmd"), Long.toString(pid), "JFR.start", "name=bench", "settings=profile"));
        return new Jfr(pid, file);
    }

    /** Stops the recording and answers the hot-methods table (empty when JFR is unavailable). */
    String stopAndSummarize() throws IOException, InterruptedException {
        run(List.of(tool("jcmd"), Long.toString(pid), "JFR.stop", "name=bench", "filename=" + file.toAbsolutePath()));
        return run(List.of(
                tool("jfr"),
                "view",
                "--width",
                "160",
                "hot-methods",
                file.toAbsolutePath().toString()));
    }

    private static String tool(String name) {
        String java = ProcessHandle.current().info().command().orElse("java");
        return Path.of(java).resolveSibling(name).toString();
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return output;
    }
}
