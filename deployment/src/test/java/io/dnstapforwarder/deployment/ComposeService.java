package io.dnstapforwarder.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A service of the compose stack, as {@code docker-compose config} resolved it, in the shape of a
 * pod for {@link PodSandbox}: what Docker would run for it. Its {@code environment}, {@code command},
 * {@code user} and {@code read_only}; named volumes as empty directories (Docker fills a new one
 * from the image, and the images' volume paths are empty), bind mounts as host paths, and
 * {@code secrets} as files under {@code /run/secrets}.
 *
 * @param name the service's name in the compose file
 * @param stage the Dockerfile stage it is built from ({@code build.target})
 * @param workload the pod-shaped spec
 * @param objects the Secret its secrets are read from, and its bind mounts
 */
record ComposeService(String name, String stage, JsonNode workload, PodSandbox.Objects objects) {

    private static final String SECRETS = "compose-secrets";

    /**
     * @param config what {@code docker-compose config} printed, parsed
     * @param environment variables the test sets over the service's own (Kafka's and HEC's addresses on this host)
     */
    static ComposeService of(JsonNode config, String name, Map<String, String> environment) {
        JsonNode service = config.at("/services/" + name);
        if (service.isMissingNode()) {
            throw new IllegalArgumentException("the compose file has no service " + name);
        }
        ObjectNode container = Repository.JSON.createObjectNode().put("name", name);
        ArrayNode env = container.putArray("env");
        Map<String, String> variables = new LinkedHashMap<>();
        service.path("environment").fields().forEachRemaining(e -> variables.put(e.getKey(), e.getValue().asText()));
        variables.putAll(environment);
        variables.forEach((key, value) -> env.addObject().put("name", key).put("value", value));
        if (service.has("command")) {
            container.set("args", service.get("command"));
        }
        ObjectNode security = container.putObject("securityContext")
                .put("readOnlyRootFilesystem", service.path("read_only").asBoolean(false));
        if (service.has("user")) {
            String[] user = service.path("user").asText().split(":");
            security.put("runAsUser", user[0]);
            if (user.length > 1) {
                security.put("runAsGroup", user[1]);
            }
        }
        ArrayNode mounts = container.putArray("volumeMounts");
        ObjectNode pod = Repository.JSON.createObjectNode();
        ArrayNode volumes = pod.putArray("volumes");
        Map<String, Path> hostPaths = new LinkedHashMap<>();
        int binds = 0;
        for (JsonNode volume : service.path("volumes")) {
            String[] parts = volume.asText().split(":");
            String volumeName = parts[0].startsWith("/") ? "bind-" + binds++ : parts[0];
            mounts.addObject().put("name", volumeName).put("mountPath", parts[1])
                    .put("readOnly", parts.length > 2 && parts[2].contains("ro"));
            if (parts[0].startsWith("/")) {
                volumes.addObject().put("name", volumeName).putObject("hostPath").put("path", parts[0]);
                hostPaths.put(parts[0], Path.of(parts[0]));
            } else {
                volumes.addObject().put("name", volumeName).putObject("emptyDir");
            }
        }
        List<JsonNode> manifests = new ArrayList<>();
        if (service.has("secrets")) {
            mounts.addObject().put("name", "secrets").put("mountPath", "/run/secrets").put("readOnly", true);
            volumes.addObject().put("name", "secrets").putObject("secret").put("secretName", SECRETS);
            manifests.add(secrets(config, service.path("secrets")));
        }
        pod.putArray("containers").add(container);
        ObjectNode workload = Repository.JSON.createObjectNode();
        workload.putObject("metadata").put("name", name);
        workload.putObject("spec").putObject("template").set("spec", pod);
        return new ComposeService(name, service.at("/build/target").asText(), workload,
                new PodSandbox.Objects(manifests, hostPaths));
    }

    /** The service's secrets as one Secret, each file under its target name (its source name by default). */
    private static JsonNode secrets(JsonNode config, JsonNode used) {
        Map<String, String> data = new LinkedHashMap<>();
        for (JsonNode secret : used) {
            String source = secret.isTextual() ? secret.asText() : secret.path("source").asText();
            String target = secret.path("target").asText(source);
            Path file = Path.of(config.at("/secrets/" + source + "/file").asText());
            try {
                data.put(target, Base64.getEncoder().encodeToString(Files.readAllBytes(file)));
            } catch (IOException e) {
                throw new UncheckedIOException("secret " + source + " of the compose file", e);
            }
        }
        return Repository.JSON.valueToTree(Map.of("kind", "Secret", "metadata", Map.of("name", SECRETS), "data", data));
    }
}
