package io.dnstapforwarder.shipper;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnstapforwarder.config.Cli;
import io.dnstapforwarder.shipper.cli.TapCommand;
import io.dnstapforwarder.testkit.HecEmulator;
import io.dnstapforwarder.testkit.TestKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The set-up of the shipper's integration tests: a HEC emulator and a {@link ShipperHarness}, fresh for each test. */
abstract class ShipperIntegrationTest {

    static final String TOKEN = "8f6a3c2e-0000-4000-8000-000000000001";

    @TempDir
    Path dir;

    HecEmulator hec;
    ShipperHarness harness;

    /** The HEC the tests deliver to; override for other emulator settings. */
    HecEmulator startHec() {
        return HecEmulator.start(TOKEN);
    }

    @BeforeEach
    void startHecAndHarness() {
        hec = startHec();
        harness = new ShipperHarness(dir);
    }

    @AfterEach
    void stopShippersAndHec() {
        harness.close();
        hec.close();
    }

    /** The environment a tool (replay, redrive, tap) is run with: this test's Kafka, topics, HEC and directory. */
    Map<String, String> toolEnvironment() {
        Map<String, String> env = new HashMap<>();
        env.put("DNSTAP_HEC_URL", hec.url().toString());
        env.put("DNSTAP_HEC_TOKEN", TOKEN);
        env.put("DNSTAP_HEC_RETRY_BASE_MS", "20");
        env.put("DNSTAP_HEC_RETRY_MAX_MS", "300");
        env.put("DNSTAP_KAFKA_BOOTSTRAP", TestKafka.bootstrapServers());
        env.put("DNSTAP_KAFKA_TOPIC", harness.topic);
        env.put("DNSTAP_DLQ_TOPIC", harness.deadLetterTopic);
        env.put("DNSTAP_FLUSH_INTERVAL_SEC", "0.2");
        env.put("DNSTAP_DATA_DIR", dir.toString());
        return env;
    }

    /** Runs {@code tap} in this JVM and returns the events it printed, one JSON object a line. */
    static List<String> tap(Map<String, String> env, String... args) {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream standardOut = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            assertThat(Cli.execute(new TapCommand(), env, args)).isZero();
        } finally {
            System.setOut(standardOut);
        }
        // In the tests' JVM logs go to standard output too (the tool's own logging sends them to standard error).
        return printed.toString(StandardCharsets.UTF_8).lines().filter(line -> line.startsWith("{")).toList();
    }
}
