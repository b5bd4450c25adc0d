package io.dnstapforwarder.deployment;

import static io.dnstapforwarder.deployment.Repository.ROOT;
import static org.assertj.core.api.Assertions.assertThat;

import io.dnstapforwarder.testkit.FreePorts;
import io.dnstapforwarder.testkit.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-command benchmarks of docs/PERFORMANCE.md run as written, on the built jars (after
 * {@code package}), small: each starts its broker, fills or feeds it, measures Kafka's own tool and
 * this project's service in the same run, prints the ratio, and leaves no process or directory
 * behind. What they measure is not checked here (benchmarks, not timed tests): that they measure.
 */
class BenchScriptsIT {

    @TempDir
    Path tmp;

    @Test
    void theDrainBenchmarkFillsATopicDrainsItAndComparesWithConsumerPerformance() throws Exception {
        String out = run(List.of("bench/drain-benchmark.sh"), Map.of("EVENTS", "100000", "ROUNDS", "1",
                "KAFKA_PORT", port(), "HEC_PORT", port(), "MONITORING_PORT", port()));
        assertThat(out).containsPattern("RESULT connections=1 sent=100,000 acked=")
                .containsPattern("(?m)^ConsumerPerformance: [1-9][0-9]* records/s$")
                .containsPattern("(?m)^shipper-1 events=100000 whole=[1-9]");
        Matcher median = Pattern.compile("(?m)^MEDIAN shipper +whole +([0-9]+) .* ([0-9.]+) x ConsumerPerformance  "
                + "shipper CPU +([0-9.]+) us/event").matcher(out);
        assertThat(median.find()).as(out).isTrue();
        assertThat(Double.parseDouble(median.group(2))).as(out).isPositive();
        assertThat(Double.parseDouble(median.group(3))).as(out).isPositive();
    }

    @Test
    void theCollectorBenchmarkComparesTheCollectorWithProducerPerformance() throws Exception {
        String out = run(List.of("bench/collector-benchmark.sh"), Map.of("ROUNDS", "1", "DURATION", "12",
                "KAFKA_PORT", port()));
        assertThat(out).containsPattern("(?m)^producer-perf-1 [1-9][0-9]*$").containsPattern("(?m)^collector-1 [1-9][0-9]*$");
        assertThat(out).containsPattern("(?m)^MEDIAN collector +[1-9][0-9]* records/s +[0-9.]+ x ProducerPerformance");
    }

    private String run(List<String> command, Map<String, String> environment) throws Exception {
        Path log = tmp.resolve("out.log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        builder.environment().put("CAPTURE", TestData.path(TestData.UNBOUND_SMALL).toString());
        builder.environment().put("TMPDIR", tmp.toString());
        Process process = builder.start();
        boolean ended = process.waitFor(5, TimeUnit.MINUTES);
        if (!ended) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
        }
        String out = Files.readString(log);
        assertThat(ended).as("still running after 5 minutes:%n%s", out).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        // Its work directory (broker data, sockets) is gone, and so is every process it started.
        try (var left = Files.list(tmp)) {
            assertThat(left.map(path -> path.getFileName().toString()).toList()).as(out).containsOnly("out.log");
        }
        List<String> ports = environment.entrySet().stream().filter(entry -> entry.getKey().endsWith("_PORT"))
                .map(entry -> ":" + entry.getValue()).toList();
        List<String> leftRunning = ProcessHandle.allProcesses().map(handle -> handle.info().commandLine().orElse(""))
                .filter(line -> line.contains(tmp.toString()) || ports.stream().anyMatch(line::contains)).toList();
        assertThat(leftRunning).as(out).isEmpty();
        return out;
    }

    private static String port() throws Exception {
        return String.valueOf(FreePorts.one());
    }
}
