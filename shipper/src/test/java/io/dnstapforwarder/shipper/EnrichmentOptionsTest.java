package io.dnstapforwarder.shipper;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnstapforwarder.config.Cli;
import io.dnstapforwarder.shipper.cli.TapCommand;
import io.dnstapforwarder.testkit.Json;
import io.dnstapforwarder.testkit.TestData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code --enrich} as an operator gives it: the fields in what {@code tap} prints, a bad value refused at start. */
@Timeout(120)
class EnrichmentOptionsTest extends ShipperIntegrationTest {

    /** From the environment, as a container gets them: the registered domain, and reasons past moved thresholds. */
    @Test
    void tapPrintsTheEnrichmentsAskedFor() throws Exception {
        harness.produce(0, 10);
        Map<String, String> env = toolEnvironment();
        env.put("DNSTAP_ENRICH", "registered-domain,suspicious");
        env.put("DNSTAP_SUSPICIOUS_THRESHOLDS", "long_name=5,rare_type=off");

        List<String> lines = tap(env, "--from-beginning", "--count", "10");

        assertThat(lines).hasSize(10).allSatisfy(line -> {
            JsonNode event = Json.exactDecimals().readTree(line).get("event");
            assertThat(event.get("query_registered_domain").asText()).isEqualTo("test.example");
            assertThat(event.get("query_suspicious").toString()).isEqualTo("[\"long_name\"]");
        });
    }

    /**
     * docs/EVENTS.md's GeoIP example as written, with the MaxMind-DB project's test files in the place of
     * the operator's (GeoLite2-Country.mmdb becomes GeoLite2-Country-Test.mmdb): tap accepts it.
     */
    @Test
    void theReadmesGeoipExampleRunsAsWritten() throws Exception {
        harness.produce(0, 3);
        String readme = Files.readString(TestData.path("../docs/EVENTS.md"));
        Matcher block = Pattern.compile("```sh\n(--enrich [^`]*--geoip-database[^`]*)```").matcher(readme);
        assertThat(block.find()).as("the docs' GeoIP example").isTrue();
        List<String> args = new ArrayList<>();
        for (String word : block.group(1).replace("\\\n", " ").trim().split("\\s+")) {
            args.add(word.replaceAll("/var/lib/GeoIP/([\\w-]+)\\.mmdb", Matcher.quoteReplacement(
                    TestData.path("maxmind").toString()) + "/$1-Test.mmdb"));
        }
        assertThat(args).contains("--geoip-database").anyMatch(arg -> arg.contains("GeoLite2-ASN-Test.mmdb"));
        args.addAll(List.of("--from-beginning", "--count", "3"));

        List<String> lines = tap(toolEnvironment(), args.toArray(String[]::new));

        assertThat(lines).hasSize(3).allSatisfy(line -> assertThat(Json.exactDecimals().readTree(line)
                .at("/event/query_registered_domain").asText()).isEqualTo("test.example"));
    }

    @Test
    void refusesAnEnrichmentItDoesNotKnowNamingTheOption() {
        assertRefused(List.of("--enrich", "registered-domain,geoip-someday"), "--enrich", "geoip-someday");
        assertRefused(List.of("--suspicious-thresholds", "long_name=5"), "--suspicious-thresholds",
                "is for --enrich suspicious");
        assertRefused(List.of("--enrich", "suspicious", "--suspicious-thresholds", "long_name=lots"),
                "--suspicious-thresholds", "long_name=lots");
        assertRefused(List.of("--enrich", "suspicious", "--common-query-types", "A,AAAAA"), "--common-query-types",
                "AAAAA");
        assertRefused(List.of("--enrich", "geoip"), "--geoip-database", "needs --geoip-database");
        assertRefused(List.of("--enrich", "geoip", "--geoip-database", "testdata/queries.txt"), "--geoip-database",
                "queries.txt");
    }

    private void assertRefused(List<String> options, String flag, String saying) {
        PrintStream standardErr = System.err;
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        System.setErr(new PrintStream(said, true, StandardCharsets.UTF_8));
        int status;
        List<String> args = new java.util.ArrayList<>(options);
        args.addAll(List.of("--count", "1"));
        try {
            status = Cli.execute(new TapCommand(), toolEnvironment(), args.toArray(String[]::new));
        } finally {
            System.setErr(standardErr);
        }

        assertThat(status).as(options.toString()).isEqualTo(2);
        assertThat(said.toString(StandardCharsets.UTF_8)).as(options.toString()).contains(flag).contains(saying);
    }
}
