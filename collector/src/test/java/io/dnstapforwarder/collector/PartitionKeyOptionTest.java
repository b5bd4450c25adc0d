package io.dnstapforwarder.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnstapforwarder.config.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** A --partition-key the collector does not know stops it at start, naming the flag and what it takes. */
class PartitionKeyOptionTest {

    @Test
    void refusesAnUnknownPartitionKey() {
        StringWriter err = new StringWriter();
        CommandLine command = Cli.create(new CollectorCommand(), Map.of());
        command.setErr(new PrintWriter(err, true));

        int exit = command.execute("--partition-key", "client", "--socket-path", "/nonexistent/dnstap.sock");

        assertThat(exit).isEqualTo(Cli.EXIT_USAGE);
        assertThat(err.toString()).isEqualTo("Invalid value for --partition-key (DNSTAP_PARTITION_KEY): 'client' must be "
                + "none or transaction\n");
    }
}
