package io.dnstapforwarder.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnstapforwarder.testkit.Processes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A container started in the sandbox, as a test sees it: its probes, its volumes, its output. */
record RunningPod(PodSandbox sandbox, Processes.Started process, Path workDir) implements AutoCloseable {

    static final Duration STARTUP = Duration.ofSeconds(120);

    /** Starts {@code workload}'s container from the image {@code stage} of the Dockerfile builds (see {@link PodSandbox}). */
    static RunningPod start(String stage, JsonNode workload, String podName, PodSandbox.Objects objects, Path workDir)
            throws Exception {
        PodSandbox sandbox = new PodSandbox(Dockerfile.read().image(stage), workload, podName, objects, workDir);
        return new RunningPod(sandbox, sandbox.start(), workDir);
    }

    /** The spec's startup probe until it passes, then its readiness probe, as the kubelet runs them. */
    void awaitProbes() {
        for (String probe : List.of("startupProbe", "readinessProbe")) {
            JsonNode get = sandbox.container().path(probe).path("httpGet");
            assertThat(get.isObject()).as("%s has an HTTP %s", name(), probe).isTrue();
            awaitOk(probe, URI.create("http://127.0.0.1:" + containerPort(get.path("port").asText())
                    + get.path("path").asText()));
        }
    }

    /** Waits for 200 from {@code uri}; fails at once, with the container's output, if it exits. */
    void awaitOk(String what, URI uri) {
        await(what).atMost(STARTUP).pollInterval(Duration.ofMillis(500))
                .failFast("the container exited", () -> assertThat(process.process().isAlive())
                        .as("%s is running; its output:%n%s", name(), process.output()).isTrue())
                .untilAsserted(() -> assertThat(status(uri)).as("%s %s", what, uri).isEqualTo(200));
    }

    /** A declared port's number, by its name or as a number. */
    int containerPort(String port) {
        for (JsonNode declared : sandbox.container().path("ports")) {
            if (declared.path("name").asText().equals(port)) {
                return declared.path("containerPort").asInt();
            }
        }
        return Integer.parseInt(port);
    }

    /** Where the test reaches a volume of the pod: an emptyDir's contents, a socket in it. */
    Path volume(String name) {
        return workDir.resolve("volumes").resolve(name);
    }

    String name() {
        return sandbox.container().path("name").asText();
    }

    @Override
    public void close() {
        process.close();
    }

    private static int status(URI uri) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }
}
