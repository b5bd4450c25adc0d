package io.dnstapforwarder.shipper;

import static io.dnstapforwarder.shipper.ShipperHarness.fastHec;
import static io.dnstapforwarder.shipper.ShipperHarness.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dnstapforwarder.config.Cli;
import io.dnstapforwarder.shipper.cli.ShipperCommand;
import io.dnstapforwarder.testkit.LogLines;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * The HEC token never appears in a log line, an exception, or an endpoint: every line the process
 * logs during runs that deliver, are refused, read a token file with a trailing newline, and read
 * one with a character a header cannot carry, is searched for every token used.
 */
@Timeout(120)
class TokenSecrecyTest extends ShipperIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String REFUSED = "0badc0de-aaaa-4bbb-8ccc-dddddddddddd";
    private static final String UNSENDABLE = "feedface-1111-4222-8333-\u0007444455556666";
    private static final String ON_THE_COMMAND_LINE = "c0ffee00-9999-4888-8777-666655554444";

    @Test
    void noTokenIsEverLoggedThrownOrShown() throws Exception {
        Path tokenFile = dir.resolve("hec-token");
        try (LogLines lines = LogLines.everything()) {
            harness.produce(0, 100);
            Files.writeString(tokenFile, REFUSED + "\n", StandardCharsets.UTF_8);
            Shipper shipper = harness.start(fastHec(hec.url(), tokenFile), 50);
            await().atMost(WAIT).until(() -> get(shipper, "/ready").body().contains("Invalid token"));
            List<String> bodies = List.of(get(shipper, "/ready").body(), get(shipper, "/stats").body(),
                    get(shipper, "/health").body(), get(shipper, "/").body());

            Files.writeString(tokenFile, UNSENDABLE + "\n", StandardCharsets.UTF_8);
            Files.setLastModifiedTime(tokenFile, FileTime.from(Instant.now().plusSeconds(5)));
            await().atMost(WAIT).until(() -> lines.messages().stream().anyMatch(line ->
                    line.contains("Cannot read the HEC token file")));

            Files.writeString(tokenFile, TOKEN + "\n", StandardCharsets.UTF_8); // as a Kubernetes Secret file is
            Files.setLastModifiedTime(tokenFile, FileTime.from(Instant.now().plusSeconds(10)));
            await().atMost(WAIT).until(() -> hec.eventCount() >= 100);

            ShipperCommand command = new ShipperCommand();
            CommandLine parsed = Cli.create(command, Map.of("DNSTAP_HEC_TOKEN", ON_THE_COMMAND_LINE + "\n"));
            parsed.parseArgs("--hec-url", hec.url().toString());
            String effective = Cli.effectiveOptions(parsed.getCommandSpec()).toString();

            for (String token : List.of(TOKEN, REFUSED, UNSENDABLE, ON_THE_COMMAND_LINE)) {
                assertThat(lines.fullText()).as("the log").noneMatch(line -> line.contains(token));
                assertThat(bodies).as("the endpoints").noneMatch(body -> body.contains(token));
                assertThat(effective).as("the logged configuration").doesNotContain(token);
            }
            assertThat(lines.messages()).as("each phase was logged, and searched").anyMatch(line -> line.contains(
                    "refuses our requests")).anyMatch(line -> line.contains("Cannot read the HEC token file"))
                    .anyMatch(line -> line.contains("changed; using the new one"));
        }
    }
}
