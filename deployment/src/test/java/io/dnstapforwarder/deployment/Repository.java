package io.dnstapforwarder.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.dnstapforwarder.collector.CollectorCommand;
import io.dnstapforwarder.config.Cli;
import io.dnstapforwarder.config.EnvironmentDefaults;
import io.dnstapforwarder.shipper.cli.ShipperCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** The repository's deployment files, read as the tests need them, and the options of the services they run. */
final class Repository {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path CHART = ROOT.resolve("charts/dnstap-forwarder");
    static final Path COMPOSE = ROOT.resolve("compose");
    static final ObjectMapper YAML = new YAMLMapper();
    static final ObjectMapper JSON = new ObjectMapper();

    private Repository() {
    }

    static JsonNode yaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every document of a multi-document YAML text (what {@code helm template} prints), empty ones left out. */
    static List<JsonNode> documents(String text) {
        List<JsonNode> documents = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(text)) {
            var iterator = YAML.readValues(parser, JsonNode.class);
            while (iterator.hasNext()) {
                JsonNode document = iterator.next();
                if (document != null && !document.isNull() && !(document instanceof MissingNode) && document.size() > 0) {
                    documents.add(document);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return documents;
    }

    /** Where the tests' images are said to be: the chart has no default, users push their own. */
    static final Map<String, Object> IMAGES = Map.of(
            "image.collector.repository", "registry.example.net/dns/dnstap-forwarder-collector",
            "image.shipper.repository", "registry.example.net/dns/dnstap-forwarder-shipper");

    /**
     * The chart rendered by Helm as release {@code dnstap} in namespace {@code dns}, with these
     * {@code --set} values, and {@link #IMAGES} unless they say otherwise.
     */
    static List<JsonNode> renderChart(Map<String, Object> values) {
        TemplateCommand template = new Helm(CHART).template().withName("dnstap").withNamespace("dns")
                .withKubeVersion("1.31.0");
        IMAGES.forEach((name, value) -> {
            if (!values.containsKey(name)) {
                template.set(name, value);
            }
        });
        values.forEach(template::set);
        return documents(template.call());
    }

    /**
     * Runs the compose stack's first-run step (compose/init.sh) in {@code composeDir}: its HEC
     * token and the local Splunk's input, which are not committed. It keeps what is there.
     */
    static void initCompose(Path composeDir) {
        try {
            Process init = new ProcessBuilder("bash", composeDir.resolve("init.sh").toString()).redirectErrorStream(true)
                    .start();
            String output = new String(init.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!init.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) || init.exitValue() != 0) {
                throw new IllegalStateException("compose/init.sh failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The DNSTAP_* variables a service's command reads: every option it has. */
    static Set<String> variablesOf(String service) {
        Object command = switch (service) {
            case "collector" -> new CollectorCommand();
            case "shipper" -> new ShipperCommand();
            default -> throw new IllegalArgumentException(service);
        };
        return Cli.create(command, Map.of()).getCommandSpec().options().stream()
                .filter(option -> !option.usageHelp() && !option.versionHelp())
                .map(EnvironmentDefaults::variableFor).collect(Collectors.toSet());
    }
}
