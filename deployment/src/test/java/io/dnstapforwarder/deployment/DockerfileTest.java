package io.dnstapforwarder.deployment;

import static io.dnstapforwarder.deployment.Repository.ROOT;
import static org.assertj.core.api.Assertions.assertThat;

import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.ops.OpsServer;
import io.dnstapforwarder.ops.Readiness;
import io.dnstapforwarder.ops.ServiceInfo;
import io.dnstapforwarder.testkit.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile, linted for what this project promises of its images (pinned bases, a non-root
 * user, a health check, the launcher the tests run as the start command), and the health check
 * script run against a real ops endpoint. No Docker engine is needed.
 */
class DockerfileTest {

    private static final String LAUNCHER = "/opt/dnstap-forwarder/bin/dnstap-forwarder";
    /** Jars of the embedded broker that scanners flag and the collector and shipper never load. */
    private static final Pattern BROKER_ONLY = Pattern.compile("(kafka_2\\.13|kafka-server|kafka-raft|kafka-metadata|"
            + "kafka-storage|embedded-kafka|scala-library|scala-reflect|log4j-core|commons-collections|commons-beanutils|snakeyaml)-");

    private static Map<String, List<String>> stages() {
        return Dockerfile.read().stages();
    }

    @Test
    void baseImagesArePinnedToAVersion() {
        for (List<String> stage : stages().values()) {
            String base = stage.get(0).split("\\s+")[1];
            if (stages().containsKey(base)) {
                continue; // built on an earlier stage
            }
            assertThat(base).as("pinned, not floating").contains(":").doesNotEndWith(":latest")
                    .matches(".*:[^:]*\\d+\\.\\d+.*");
        }
    }

    @Test
    void runtimeRunsAsANonRootUserWithTheLauncherAsEntrypoint() {
        List<String> runtime = stages().get("runtime");

        assertThat(runtime).anySatisfy(line -> assertThat(line).matches("USER 10001:10001"));
        assertThat(runtime).anySatisfy(line -> assertThat(line).isEqualTo("ENTRYPOINT [\"" + LAUNCHER + "\"]"));
        assertThat(runtime).anySatisfy(line -> assertThat(line).contains("DNSTAP_SKIP_BUILD=1"));
        assertThat(runtime).anySatisfy(line -> assertThat(line).contains("COPY bin/dnstap-forwarder bin/healthcheck"));
        assertThat(runtime).anySatisfy(line -> assertThat(line).contains("-XX:MaxRAMPercentage"));
    }

    @Test
    void eachServiceImageStartsTheCommandTheTestsRunAndChecksItsHealth() {
        // CollectorProcessIT and ShipperProcessIT start `bin/dnstap-forwarder collector|shipper`; the
        // images start the same launcher with the same command.
        Map<String, String> commands = Map.of("collector", "collector", "shipper", "shipper", "launcher", "standalone");
        commands.forEach((stage, command) -> {
            List<String> lines = stages().get(stage);
            assertThat(lines.get(0)).as(stage).endsWith("FROM runtime AS " + stage);
            assertThat(lines).as(stage).contains("CMD [\"" + command + "\"]");
            assertThat(lines).as(stage).anySatisfy(line -> assertThat(line).startsWith("HEALTHCHECK")
                    .endsWith("CMD [\"/opt/dnstap-forwarder/bin/healthcheck\"]"));
        });
        assertThat(stages().get("collector")).anySatisfy(line -> assertThat(line).contains("DNSTAP_MONITORING_PORT=8080"));
        assertThat(stages().get("shipper")).anySatisfy(line -> assertThat(line).contains("DNSTAP_MONITORING_PORT=8081"));
    }

    @Test
    void everythingTheBuildCopiesExists() {
        for (List<String> stage : stages().values()) {
            for (String line : stage) {
                if (line.startsWith("COPY ") && !line.contains("--from=")) {
                    String[] parts = line.substring(5).trim().split("\\s+");
                    for (int i = 0; i < parts.length - 1; i++) {
                        assertThat(ROOT.resolve(parts[i])).as(line).exists();
                    }
                }
            }
        }
        assertThat(ROOT.resolve(".dockerignore")).content().contains("**/target/");
    }

    @Test
    void serviceImagesHoldOnlyTheJarsTheServicesLoad() throws Exception {
        Dockerfile dockerfile = Dockerfile.read();
        for (String stage : List.of("collector", "shipper")) {
            List<String> jars = jarsOf(dockerfile.image(stage));
            assertThat(jars).as(stage).anyMatch(jar -> jar.startsWith("collector-"))
                    .anyMatch(jar -> jar.startsWith("shipper-")).anyMatch(jar -> jar.startsWith("kafka-clients-"))
                    .anyMatch(jar -> jar.startsWith("logback-classic-"));
            assertThat(jars).as(stage + ": the embedded broker's jars, which the services never load")
                    .noneMatch(jar -> BROKER_ONLY.matcher(jar).lookingAt());
        }
        assertThat(jarsOf(dockerfile.image("launcher"))).as("standalone runs the broker")
                .anyMatch(jar -> jar.startsWith("kafka_2.13-")).anyMatch(jar -> jar.startsWith("embedded-kafka-"));
    }

    /** The jars an image's lib/ holds, as the build leaves them for its COPY lines (build first). */
    private static List<String> jarsOf(Dockerfile.Image image) throws Exception {
        List<String> jars = new java.util.ArrayList<>();
        for (Dockerfile.Copy copy : image.copies()) {
            if (copy.target().endsWith("/lib")) {
                assertThat(copy.source()).as("built by the reactor before the deployment tests").isDirectory();
                try (var files = Files.list(copy.source())) {
                    files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".jar")).forEach(jars::add);
                }
            }
        }
        return jars;
    }

    @Test
    void theBuildStageHasEveryModuleOfTheReactor() {
        // Maven reads every module's pom even to build one of them (-pl standalone -am).
        String pom = Repository.read(ROOT.resolve("pom.xml"));
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(pom);
        List<String> build = stages().get("build");
        while (module.find()) {
            String name = module.group(1);
            assertThat(build).as("module " + name).anySatisfy(line -> assertThat(line).matches(
                    "COPY " + name + "/(pom\\.xml " + name + "/pom\\.xml| " + name + "/)"));
        }
    }

    @Test
    void theHealthCheckPassesOnAHealthyServiceAndFailsWithoutOne() throws Exception {
        Path script = ROOT.resolve("bin/healthcheck");
        assertThat(Files.isExecutable(script)).isTrue();
        OpsServer ops = new OpsServer(ServiceInfo.starting("collector", "healthcheck-test", java.time.Instant.now()),
                ComponentMetrics.newPrometheusRegistry(), () -> Readiness.builder().build(), () -> Readiness.builder().build(),
                Map::of, Clock.systemUTC())
                .start("127.0.0.1", 0);
        try {
            assertThat(run(script, ops.port())).isZero();
        } finally {
            ops.close();
        }
        assertThat(run(script, FreePorts.one())).as("nothing listens").isNotZero();
    }

    private static int run(Path script, int port) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(script.toString()).redirectErrorStream(true);
        builder.environment().put("DNSTAP_MONITORING_PORT", Integer.toString(port));
        Process process = builder.start();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return process.exitValue();
    }
}
