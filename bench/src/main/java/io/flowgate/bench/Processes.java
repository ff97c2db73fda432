package io.flowgate.bench;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Starts the parts under test as processes of their own and reads their resident memory. */
final class Processes implements AutoCloseable {

    /** A started process and how long it took to become ready. */
    record Started(String name, Process process, long startupMillis) {
        long rssMegabytes() {
            return Processes.rssKilobytes(process.pid()) / 1024;
        }

        /** CPU time the process has used so far (user and system), zero when the OS does not tell. */
        Duration cpu() {
            return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
        }
    }

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Path logs;
    private final List<Started> started = new ArrayList<>();

    Processes(Path logs) throws IOException {
        this.logs = Files.createDirectories(logs);
    }

    /**
     * Starts {@code command} and waits until GET {@code readyUrl} answers 200 (or, for a
     * {@code tcp://} URL, until the port accepts connections).
     */
    Started start(String name, List<String> command, String readyUrl) throws IOException, InterruptedException {
        long begin = System.nanoTime();
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(logs.resolve(name + ".log").toFile())
                .start();
        long deadline = begin + Duration.ofSeconds(120).toNanos();
        while (!ready(readyUrl)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited; see " + logs.resolve(name + ".log"));
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException(name + " not ready after 120 s; see " + logs.resolve(name + ".log"));
            }
            Thread.sleep(50);
        }
        Started s = new Started(name, process, (System.nanoTime() - begin) / 1_000_000);
        started.add(s);
        return s;
    }

    /** A Java command on this JVM's binary and class path. */
    static List<String> java(String... arguments) {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path")));
        command.addAll(List.of(arguments));
        return command;
    }

    /** A command running the local stack's jar in {@code role}. */
    static List<String> devstack(File jar, String role, Path data) {
        return List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-jar",
                jar.getAbsolutePath(),
                role,
                data.toString());
    }

    void stop(Started s) throws InterruptedException {
        s.process().destroy();
        if (!s.process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            s.process().destroyForcibly();
        }
        started.remove(s);
    }

    private static boolean ready(String url) {
        try {
            if (url.startsWith("tcp://")) {
                URI uri = URI.create(url);
                try (var socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
                    return true;
                }
            }
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static long rssKilobytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            return -1;
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        for (Started s : List.copyOf(started).reversed()) {
            try {
                stop(s);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static void requireFree(int... ports) {
        for (int port : ports) {
            try (var socket = new java.net.Socket("127.0.0.1", port)) {
                throw new IllegalStateException(
                        "port " + port + " is in use: stop the local stack (./run-local.sh stop) first");
            } catch (IOException free) {
                // nothing listens there: good
            }
        }
    }
}
