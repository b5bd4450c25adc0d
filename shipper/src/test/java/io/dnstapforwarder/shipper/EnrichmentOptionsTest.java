package io.dnstapforwarder.shipper;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnstapforwarder.config.Cli;
import io.dnstapforwarder.shipper.cli.TapCommand;
import io.dnstapforwarder.testkit.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
        Map<String, String> env = toolEnvironment();
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
            status = Cli.execute(new TapCommand(), toolEnvironment(), "--enrich", "registered-domain,geoip-someday",
                    "--count", "1");
        } finally {
            System.setErr(standardErr);
        }

        assertThat(status).isEqualTo(2);
        assertThat(said.toString(StandardCharsets.UTF_8)).contains("--enrich").contains("geoip-someday");
    }
}
