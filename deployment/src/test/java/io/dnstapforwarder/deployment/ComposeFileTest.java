package io.dnstapforwarder.deployment;

import static io.dnstapforwarder.deployment.Repository.COMPOSE;
import static io.dnstapforwarder.deployment.Repository.ROOT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnstapforwarder.testkit.DnsPeers;
import io.dnstapforwarder.testkit.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compose stack, checked without a Docker engine: Docker Compose's own validation of every
 * profile, yamllint over the repository's YAML, and the stack's wiring (scalable shippers, the
 * options each service is given, files it mounts, the topics it creates).
 */
class ComposeFileTest {

    private static final Path FILE = COMPOSE.resolve("docker-compose.yml");

    @TempDir
    Path dir;

    @BeforeAll
    static void firstRun() {
        Repository.initCompose(COMPOSE);
    }

    @Test
    void initGivesTheStackATokenOfItsOwnForTheShipperAndTheLocalSplunkAndKeepsIt() throws Exception {
        Path copy = Files.createDirectories(dir.resolve("compose"));
        Files.copy(COMPOSE.resolve("init.sh"), copy.resolve("init.sh"));
        Files.createDirectories(copy.resolve("splunk"));
        Files.copy(COMPOSE.resolve("splunk/inputs.conf.template"), copy.resolve("splunk/inputs.conf.template"));

        Repository.initCompose(copy);
        String token = Files.readString(copy.resolve("secrets/hec_token")).strip();
        Repository.initCompose(copy);

        assertThat(token).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(Files.readString(copy.resolve("secrets/hec_token")).strip()).as("kept").isEqualTo(token);
        assertThat(Files.readString(copy.resolve("splunk/apps/dnstap_forwarder/local/inputs.conf")))
                .contains("token = " + token).doesNotContain("@HEC_TOKEN@");
        assertThat(Files.readString(ROOT.resolve(".gitignore"))).as("never committed")
                .contains("compose/secrets/hec_token", "compose/splunk/apps/dnstap_forwarder/local/inputs.conf");
    }

    @Test
    void limitsTheMemoryOfEveryJvmSoThatHeapsAreSizedFromIt() {
        JsonNode services = Repository.yaml(FILE).get("services");
        // The images size the heap as a share of the container's memory limit (MaxRAMPercentage).
        assertThat(services.at("/collector/mem_limit").asText()).isEqualTo("${DNSTAP_COLLECTOR_MEMORY:-512m}");
        assertThat(services.at("/shipper/mem_limit").asText()).isEqualTo("${DNSTAP_SHIPPER_MEMORY:-768m}");
        assertThat(services.at("/kafka/mem_limit").asText()).isEqualTo("1536m");
    }

    @Test
    void dockerComposeAcceptsTheFileWithEveryProfile() throws Exception {
        Path compose = DnsPeers.require("docker-compose", "docker-compose");

        Processes.Started config = Processes.start(List.of(compose.toString(), "-f", FILE.toString(), "--profile",
                "splunk", "--profile", "monitoring", "--profile", "demo", "config", "--quiet"), COMPOSE,
                dir.resolve("config.log"), Map.of());

        assertThat(config.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(config.process().exitValue()).as(config.output()).isZero();
    }

    @Test
    void theDocsSplunkSetupIsWhatTheComposeStacksSplunkRuns() throws Exception {
        String section = Repository.read(Repository.ROOT.resolve("docs/SPLUNK.md"));
        java.util.regex.Matcher block = java.util.regex.Pattern.compile("(?ms)^ *```ini\n(.*?)^ *```").matcher(section);
        List<String> blocks = new ArrayList<>();
        while (block.find()) {
            blocks.add(block.group(1).lines().map(String::strip).collect(java.util.stream.Collectors.joining("\n")));
        }

        assertThat(blocks).hasSize(3);
        assertThat(blocks.get(0)).isEqualTo(stanzas(COMPOSE.resolve("splunk/apps/dnstap_forwarder/local/indexes.conf")));
        assertThat(blocks.get(1).replace("<a GUID of yours>", "@HEC_TOKEN@"))
                .isEqualTo(stanzas(COMPOSE.resolve("splunk/inputs.conf.template")));
    }

    /** A .conf file without its comments, each line stripped. */
    private static String stanzas(Path conf) {
        return Repository.read(conf).lines().map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .collect(java.util.stream.Collectors.joining("\n"));
    }

    @Test
    void yamllintFindsNothingInTheRepositorysYaml() throws Exception {
        Path yamllint = DnsPeers.require("yamllint", "yamllint");

        Processes.Started lint = Processes.start(List.of(yamllint.toString(), "--strict", "-c", ".yamllint", "compose",
                "charts", ".yamllint"), ROOT, dir.resolve("yamllint.log"), Map.of());

        assertThat(lint.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(lint.process().exitValue()).as(lint.output()).isZero();
    }

    @Test
    void shippersScaleAndEachServiceGetsOnlyOptionsItHas() {
        JsonNode services = Repository.yaml(FILE).get("services");

        JsonNode shipper = services.get("shipper");
        assertThat(shipper.has("container_name")).as("--scale shipper=N needs no fixed name").isFalse();
        assertThat(shipper.has("ports")).as("--scale shipper=N needs no fixed host port").isFalse();
        for (String service : List.of("collector", "shipper")) {
            assertThat(services.at("/" + service + "/build/target").asText()).isEqualTo(service);
            List<String> variables = new ArrayList<>();
            services.get(service).get("environment").fieldNames().forEachRemaining(variables::add);
            assertThat(variables).as(service).isSubsetOf(Repository.variablesOf(service));
        }
        assertThat(shipper.get("environment").has("DNSTAP_HEC_TOKEN")).as("the token comes from a secret file").isFalse();
        assertThat(shipper.at("/environment/DNSTAP_HEC_TOKEN_FILE").asText()).isEqualTo("/run/secrets/hec_token");
    }

    @Test
    void everyFileTheStackMountsExists() {
        JsonNode compose = Repository.yaml(FILE);
        List<String> missing = new ArrayList<>();
        compose.get("services").fields().forEachRemaining(service -> {
            for (JsonNode volume : service.getValue().path("volumes")) {
                String source = volume.asText().split(":")[0];
                if (source.startsWith(".") && !Files.exists(COMPOSE.resolve(source))) {
                    missing.add(service.getKey() + ": " + source);
                }
            }
            String build = service.getValue().path("build").isTextual() ? service.getValue().path("build").asText()
                    : service.getValue().at("/build/context").asText("");
            if (!build.isEmpty() && !Files.isDirectory(COMPOSE.resolve(build))) {
                missing.add(service.getKey() + ": build " + build);
            }
        });
        compose.get("secrets").forEach(secret -> {
            if (!Files.exists(COMPOSE.resolve(secret.path("file").asText()))) {
                missing.add("secret " + secret.path("file").asText());
            }
        });
        assertThat(missing).isEmpty();
    }

    @Test
    void createsTheTopicsWithPartitionsAndRetentionSetOnPurpose() {
        JsonNode topics = Repository.yaml(FILE).at("/services/topics");
        String script = topics.at("/command/0").asText();

        assertThat(script).contains("--topic dnstap.events", "--partitions", "retention.ms", "retention.bytes",
                "--topic dnstap.dlq");
        assertThat(topics.at("/environment/EVENT_PARTITIONS").asText()).isEqualTo("${DNSTAP_TOPIC_PARTITIONS:-6}");
        assertThat(Repository.yaml(FILE).at("/services/kafka/environment/KAFKA_AUTO_CREATE_TOPICS_ENABLE").asText())
                .isEqualTo("false");
    }

    @Test
    void theShipperGetsTheTokenTheLocalSplunkIsGivenForItsIndex() {
        String shipperToken = Repository.read(COMPOSE.resolve("secrets/hec_token")).strip();
        String index = Repository.yaml(FILE).at("/services/shipper/environment/DNSTAP_HEC_INDEX").asText()
                .replaceAll("\\$\\{DNSTAP_HEC_INDEX:-(\\w+)}", "$1");
        String inputs = Repository.read(COMPOSE.resolve("splunk/apps/dnstap_forwarder/local/inputs.conf"));

        assertThat(inputs).contains("[http://dnstap-forwarder]", "token = " + shipperToken, "disabled = 0",
                "index = " + index, "indexes = " + index);
        assertThat(Repository.read(COMPOSE.resolve("splunk/apps/dnstap_forwarder/local/indexes.conf")))
                .contains("[" + index + "]");
        JsonNode splunk = Repository.yaml(COMPOSE.resolve("splunk/default.yml"));
        assertThat(splunk.at("/splunk/hec/enable").asBoolean()).isTrue();
        assertThat(splunk.at("/splunk/hec/ssl").asBoolean()).isFalse();
        assertThat(Repository.yaml(FILE).at("/services/shipper/environment/DNSTAP_HEC_URL").asText())
                .isEqualTo("${DNSTAP_HEC_URL:-http://splunk:8088}");
    }
}
