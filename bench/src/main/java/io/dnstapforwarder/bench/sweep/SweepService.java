package io.dnstapforwarder.bench.sweep;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;

/** A process the sweep started, with its PID for /proc and for stopping it. */
record SweepService(String name, Process process) {

    /** Starts {@code command} with {@code environment} added, its output into {@code log}. */
    static SweepService start(String name, List<String> command, Map<String, String> environment, Path log)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        return new SweepService(name, builder.start());
    }

    double cpuSeconds() throws IOException {
        return ProcessCpu.seconds(process.pid());
    }

    Map<String, Double> cpuByThread() throws IOException {
        return ProcessCpu.byThread(process.pid());
    }

    /** SIGTERM to this PID; SIGKILL if it has not ended within a minute. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    /** Waits (at most 90 s) until the broker at {@code bootstrap} answers and has {@code topic}. */
    static void awaitKafka(String bootstrap, String topic) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap, "default.api.timeout.ms", 2000,
                    "request.timeout.ms", 2000))) {
                if (admin.describeTopics(List.of(topic)).allTopicNames().get(3, TimeUnit.SECONDS).containsKey(topic)) {
                    return;
                }
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
    }

    /** Waits (at most 120 s) until the service with its ops endpoint on {@code port} is ready. */
    static void awaitReady(int port) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        throw new IllegalStateException("the service on port " + port + " did not become ready");
    }
}
