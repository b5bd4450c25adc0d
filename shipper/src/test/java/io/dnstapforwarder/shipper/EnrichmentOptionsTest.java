package io.dnstapforwarder.shipper;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnstapforwarder.config.Cli;
import io.dnstapforwarder.shipper.cli.TapCommand;
import io.dnstapforwarder.testkit.Json;
import io.dnstapforwarder.testkit.TestKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code --enrich} as an operator gives it: the fields in what {@code tap} prints, a bad value refused at start. */
@Timeout(120)
class EnrichmentOptionsTest extends ShipperIntegrationTest {

    @Test
    void tapPrintsTheRegisteredDomainWhenAsked() throws Exception {
        harness.produce(0, 10);
        Map<String, String> env = environment();
        env.put("DNSTAP_ENRICH", "registered-domain");

        List<String> lines = tap(env, "--from-beginning", "--count", "10");

        assertThat(lines).hasSize(10).allSatisfy(line -> assertThat(Json.exactDecimals().readTree(line)
                .at("/event/query_registered_domain").asText()).isEqualTo("test.example"));
    }

    @Test
    void refusesAnEnrichmentItDoesNotKnowNamingTheOption() {
        PrintStream standardErr = System.err;
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        System.setErr(new PrintStream(said, true, StandardCharsets.UTF_8));
        int status;
        try {
            status = Cli.execute(new TapCommand(), environment(), "--enrich", "registered-domain,geoip-someday",
                    "--count", "1");
        } finally {
            System.setErr(standardErr);
        }

        assertThat(status).isEqualTo(2);
        assertThat(said.toString(StandardCharsets.UTF_8)).contains("--enrich").contains("geoip-someday");
    }

    private static List<String> tap(Map<String, String> env, String... args) {
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

    private Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        env.put("DNSTAP_KAFKA_BOOTSTRAP", TestKafka.bootstrapServers());
        env.put("DNSTAP_KAFKA_TOPIC", harness.topic);
        env.put("DNSTAP_DATA_DIR", dir.toString());
        return env;
    }
}
