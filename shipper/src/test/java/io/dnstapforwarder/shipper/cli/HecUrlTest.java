package io.dnstapforwarder.shipper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnstapforwarder.config.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** A HEC URL is a base URL: credentials or a query in it stop start-up, and are never shown. */
class HecUrlTest {

    private final StringWriter err = new StringWriter();

    @Test
    void refusesAUrlWithCredentialsWithoutShowingThem() {
        int exit = run("https://admin:hunter2@splunk.example:8088");

        assertThat(exit).isEqualTo(Cli.EXIT_USAGE);
        assertThat(err.toString()).doesNotContain("hunter2").doesNotContain("admin").isEqualTo(
                "Invalid value for --hec-url (DNSTAP_HEC_URL): 'https://(credentials not shown)@splunk.example:8088' has "
                        + "credentials in it (user@ or user:password@); HEC takes a token: give it with --hec-token or "
                        + "--hec-token-file\n");
    }

    @Test
    void refusesAUrlWithAQueryWithoutShowingIt() {
        int exit = run("https://splunk.example:8088/?token=hunter2");

        assertThat(exit).isEqualTo(Cli.EXIT_USAGE);
        assertThat(err.toString()).doesNotContain("hunter2").startsWith(
                "Invalid value for --hec-url (DNSTAP_HEC_URL): 'https://splunk.example:8088/...' must be HEC's base URL");
    }

    @Test
    void neverShowsCredentialsEvenInAUrlThatDoesNotParse() {
        int exit = run("https://admin:hunter2@splunk example:8088");

        assertThat(exit).isEqualTo(Cli.EXIT_USAGE);
        assertThat(err.toString()).doesNotContain("hunter2").contains("is not a URL");
    }

    private int run(String url) {
        CommandLine command = Cli.create(new ShipperCommand(), Map.of("DNSTAP_HEC_TOKEN", "a-token"));
        command.setErr(new PrintWriter(err, true));
        return command.execute("--hec-url", url);
    }
}
