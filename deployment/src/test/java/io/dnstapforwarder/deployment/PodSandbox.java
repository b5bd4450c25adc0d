package io.dnstapforwarder.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnstapforwarder.testkit.DnsPeers;
import io.dnstapforwarder.testkit.Processes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs one container of a rendered pod spec as the kubelet would, without a container engine:
 * in bubblewrap, as the user the spec says, on a root file system built from the image's
 * Dockerfile stage (the host's /usr and /etc standing in for the base image's JRE and system),
 * read-only when the spec says so, with only the pod's volumes mounted: {@code emptyDir} as
 * tmpfs, Secrets and ConfigMaps as files, {@code hostPath} as a directory the test gives; the
 * environment from the image, {@code envFrom}, {@code env} and the Service links Kubernetes adds;
 * the image's entrypoint with the container's {@code args}. The network is the host's, so the
 * container's ports are on the host's addresses (the pod's {@code 0.0.0.0} included).
 *
 * <p>What it cannot show: the base image's own files (its JRE patch, its CA bundle), cgroup
 * limits (the heap follows the host's memory), and probes are the test's to run.
 */
final class PodSandbox {

    /** The PATH of the image's base (eclipse-temurin), for {@code ${PATH}} in the image's ENV. */
    private static final String BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** What the pod's volumes and environment refer to: the rendered objects, by kind and name. */
    record Objects(List<JsonNode> manifests, Map<String, Path> hostPaths) {

        JsonNode named(String kind, String name) {
            return manifests.stream().filter(m -> kind.equals(m.path("kind").asText())
                    && name.equals(m.at("/metadata/name").asText())).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no " + kind + " named " + name + " in the manifests"));
        }

        /** A Secret's or ConfigMap's data, decoded. */
        Map<String, byte[]> data(String kind, String name) {
            JsonNode object = named(kind, name);
            Map<String, byte[]> data = new LinkedHashMap<>();
            object.path("data").fields().forEachRemaining(e -> data.put(e.getKey(), "Secret".equals(kind)
                    ? Base64.getDecoder().decode(e.getValue().asText()) : e.getValue().asText().getBytes(StandardCharsets.UTF_8)));
            object.path("stringData").fields().forEachRemaining(e -> data.put(e.getKey(),
                    e.getValue().asText().getBytes(StandardCharsets.UTF_8)));
            return data;
        }
    }

    private final Dockerfile.Image image;
    private final JsonNode pod;
    private final JsonNode container;
    private final String podName;
    private final Objects objects;
    private final Path workDir;

    /**
     * @param workload a Deployment or DaemonSet; its first container is run
     * @param workDir where volume contents and the log go
     */
    PodSandbox(Dockerfile.Image image, JsonNode workload, String podName, Objects objects, Path workDir) {
        this.image = image;
        this.pod = workload.at("/spec/template/spec");
        this.container = pod.at("/containers/0");
        this.podName = podName;
        this.objects = objects;
        this.workDir = workDir;
    }

    JsonNode container() {
        return container;
    }

    /** Starts the container; its output goes to {@code <workDir>/<container>.log}. */
    Processes.Started start() throws IOException {
        Path bwrap = DnsPeers.require("bwrap", "bubblewrap");
        Files.createDirectories(workDir);
        List<String> command = new ArrayList<>(List.of(bwrap.toString(), "--die-with-parent", "--unshare-user",
                "--unshare-pid", "--unshare-ipc", "--uid", securityContext("runAsUser", image.user().split(":")[0]),
                "--gid", securityContext("runAsGroup", image.user().contains(":") ? image.user().split(":")[1] : "0"),
                "--clearenv"));
        List<String> imagePaths = new ArrayList<>(image.directories());
        image.copies().forEach(copy -> imagePaths.add(copy.target()));
        container.at("/volumeMounts").forEach(mount -> imagePaths.add(mount.at("/mountPath").asText()));
        systemFileSystem(command, imagePaths);
        image.directories().forEach(dir -> command.addAll(List.of("--dir", resolved(dir))));
        for (Dockerfile.Copy copy : image.copies()) {
            if (!Files.exists(copy.source())) {
                throw new IllegalStateException(copy.source() + " is not built: the image copies it to " + copy.target());
            }
            command.addAll(List.of("--ro-bind", copy.source().toString(), copy.target()));
        }
        mountVolumes(command);
        if (container.at("/securityContext/readOnlyRootFilesystem").asBoolean(false)) {
            command.addAll(List.of("--remount-ro", "/"));
        }
        environment().forEach((name, value) -> command.addAll(List.of("--setenv", name, value)));
        command.addAll(List.of("--chdir", container.path("workingDir").asText(image.workdir()), "--"));
        command.addAll(entrypointAndArgs());
        return Processes.start(command, workDir, workDir.resolve(container.path("name").asText() + ".log"), Map.of());
    }

    /** The pod's or the container's setting (the container's wins), else the image's. */
    private String securityContext(String field, String fromImage) {
        JsonNode own = container.at("/securityContext/" + field);
        JsonNode ofPod = pod.at("/securityContext/" + field);
        return own.isMissingNode() ? ofPod.isMissingNode() ? fromImage : ofPod.asText() : own.asText();
    }

    /**
     * The host's system, read-only, as the base image's: /usr and what links into it, /proc, /dev,
     * and /etc entry by entry, so that /etc itself stays part of the root and a volume can be
     * mounted below it (/etc/dnstap-forwarder/...), as in an image. What the image itself makes
     * or the pod mounts ({@code imagePaths}) is left out of the host's /etc: a host that runs the
     * forwarder has its own /etc/dnstap-forwarder, which must not stand in for the image's.
     */
    private static void systemFileSystem(List<String> command, List<String> imagePaths) throws IOException {
        command.addAll(List.of("--ro-bind", "/usr", "/usr", "--proc", "/proc", "--dev", "/dev", "--dir", "/run",
                "--dir", "/etc"));
        for (String top : List.of("/bin", "/sbin", "/lib", "/lib64", "/var/run")) {
            bindAsIs(command, Path.of(top));
        }
        for (Path entry : hostEtc(Path.of("/etc"), imagePaths)) {
            bindAsIs(command, entry);
        }
    }

    /** The entries of the host's {@code etc} the sandbox takes: all but those the image makes or the pod mounts. */
    static List<Path> hostEtc(Path etc, List<String> imagePaths) throws IOException {
        try (Stream<Path> entries = Files.list(etc)) {
            return entries.sorted().filter(entry -> {
                String name = "/etc/" + entry.getFileName();
                return imagePaths.stream().noneMatch(path -> path.equals(name) || path.startsWith(name + "/"));
            }).toList();
        }
    }

    /** A host path at the same place, read-only: a link as a link, anything else bound. */
    private static void bindAsIs(List<String> command, Path path) throws IOException {
        if (Files.isSymbolicLink(path)) {
            command.addAll(List.of("--symlink", Files.readSymbolicLink(path).toString(), path.toString()));
        } else if (Files.exists(path, LinkOption.NOFOLLOW_LINKS) && Files.isReadable(path)) {
            command.addAll(List.of("--ro-bind", path.toString(), path.toString()));
        }
    }

    /** bubblewrap does not follow links in a destination: /var/run/x is /run/x (a link in the image's base too). */
    private static String resolved(String path) {
        return path.startsWith("/var/run/") ? "/run/" + path.substring("/var/run/".length()) : path;
    }

    private void mountVolumes(List<String> command) throws IOException {
        Map<String, JsonNode> volumes = new LinkedHashMap<>();
        pod.path("volumes").forEach(volume -> volumes.put(volume.path("name").asText(), volume));
        for (JsonNode mount : container.path("volumeMounts")) {
            String name = mount.path("name").asText();
            JsonNode volume = volumes.get(name);
            if (volume == null) {
                throw new IllegalStateException("volumeMount " + name + " has no volume in the pod");
            }
            String target = resolved(mount.path("mountPath").asText());
            boolean readOnly = mount.path("readOnly").asBoolean(false);
            if (volume.has("emptyDir")) {
                Path dir = Files.createDirectories(workDir.resolve("volumes").resolve(name));
                command.addAll(List.of("--bind", dir.toString(), target));
            } else if (volume.has("secret")) {
                Path dir = files(name, objects.data("Secret", volume.at("/secret/secretName").asText()),
                        volume.at("/secret/items"));
                command.addAll(List.of("--ro-bind", dir.toString(), target));
            } else if (volume.has("configMap")) {
                Path dir = files(name, objects.data("ConfigMap", volume.at("/configMap/name").asText()),
                        volume.at("/configMap/items"));
                command.addAll(List.of("--ro-bind", dir.toString(), target));
            } else if (volume.has("hostPath")) {
                Path host = objects.hostPaths().get(volume.at("/hostPath/path").asText());
                if (host == null) {
                    throw new IllegalStateException("the test gives no directory for hostPath " + volume.at("/hostPath/path"));
                }
                command.addAll(List.of(readOnly ? "--ro-bind" : "--bind", host.toString(), target));
            } else {
                throw new IllegalStateException("volume " + name + " is of a kind the sandbox does not run: " + volume);
            }
        }
    }

    /**
     * A Secret's or ConfigMap's keys as files of a directory, as the kubelet projects them: every
     * key under its own name, or with {@code items} only those keys, each at its {@code path}.
     */
    private Path files(String volume, Map<String, byte[]> data, JsonNode items) throws IOException {
        Path dir = Files.createDirectories(workDir.resolve("volumes").resolve(volume));
        Map<String, String> paths = new LinkedHashMap<>();
        if (items.isArray()) {
            items.forEach(item -> paths.put(item.path("key").asText(), item.path("path").asText()));
        } else {
            data.keySet().forEach(key -> paths.put(key, key));
        }
        for (Map.Entry<String, String> path : paths.entrySet()) {
            byte[] value = data.get(path.getKey());
            if (value == null) {
                throw new IllegalStateException("volume " + volume + " projects key " + path.getKey() + ", which its source lacks");
            }
            Files.write(dir.resolve(path.getValue()), value);
        }
        return dir;
    }

    /** The image's ENV, then the Service links, then {@code envFrom}, then {@code env}: later wins, as in Kubernetes. */
    Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        image.env().forEach((name, value) -> env.put(name, value.replace("${PATH}", BASE_PATH).replace("$PATH", BASE_PATH)));
        env.putIfAbsent("PATH", BASE_PATH);
        env.put("HOSTNAME", podName);
        if (pod.path("enableServiceLinks").asBoolean(true)) {
            env.putAll(serviceLinks());
        }
        for (JsonNode source : container.path("envFrom")) {
            String prefix = source.path("prefix").asText("");
            String kind = source.has("secretRef") ? "Secret" : "ConfigMap";
            String name = source.path(source.has("secretRef") ? "secretRef" : "configMapRef").path("name").asText();
            objects.data(kind, name).forEach((key, value) -> env.put(prefix + key, new String(value, StandardCharsets.UTF_8)));
        }
        for (JsonNode variable : container.path("env")) {
            env.put(variable.path("name").asText(), value(variable));
        }
        return env;
    }

    private String value(JsonNode variable) {
        if (variable.has("value")) {
            return variable.path("value").asText();
        }
        JsonNode from = variable.path("valueFrom");
        if (from.has("fieldRef")) {
            String field = from.at("/fieldRef/fieldPath").asText();
            return switch (field) {
                case "metadata.name" -> podName;
                case "spec.nodeName" -> "node-1";
                case "status.podIP", "status.hostIP" -> "127.0.0.1";
                default -> throw new IllegalStateException("fieldRef " + field + " is not run by the sandbox");
            };
        }
        String kind = from.has("secretKeyRef") ? "Secret" : "ConfigMap";
        JsonNode ref = from.path(from.has("secretKeyRef") ? "secretKeyRef" : "configMapKeyRef");
        byte[] value = objects.data(kind, ref.path("name").asText()).get(ref.path("key").asText());
        if (value == null) {
            throw new IllegalStateException(kind + " " + ref.path("name").asText() + " has no key " + ref.path("key").asText());
        }
        return new String(value, StandardCharsets.UTF_8);
    }

    /**
     * What Kubernetes puts in every container's environment for each Service of the namespace
     * while {@code enableServiceLinks} is on (its default): {@code <NAME>_SERVICE_HOST},
     * {@code <NAME>_SERVICE_PORT}, {@code <NAME>_PORT=tcp://…}. A Service named {@code dnstap-…}
     * gives {@code DNSTAP_…} names, which the services read as settings.
     */
    private Map<String, String> serviceLinks() {
        Map<String, String> links = new LinkedHashMap<>();
        objects.manifests().stream().filter(m -> "Service".equals(m.path("kind").asText())).forEach(service -> {
            String name = service.at("/metadata/name").asText().toUpperCase(Locale.ROOT).replace('-', '_');
            JsonNode port = service.at("/spec/ports/0");
            links.put(name + "_SERVICE_HOST", "10.96.0.10");
            links.put(name + "_SERVICE_PORT", port.path("port").asText());
            links.put(name + "_PORT", "tcp://10.96.0.10:" + port.path("port").asText());
        });
        return links;
    }

    /** The image's ENTRYPOINT with the container's {@code args} (or the image's CMD); {@code command} replaces the entrypoint. */
    private List<String> entrypointAndArgs() {
        List<String> run = new ArrayList<>();
        if (container.has("command")) {
            container.path("command").forEach(part -> run.add(part.asText()));
        } else {
            run.addAll(image.entrypoint());
        }
        if (container.has("args")) {
            container.path("args").forEach(part -> run.add(part.asText()));
        } else if (!container.has("command")) {
            run.addAll(image.cmd());
        }
        return run;
    }
}
