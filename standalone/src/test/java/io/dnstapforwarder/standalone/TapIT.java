package io.dnstapforwarder.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnstapforwarder.testkit.Json;
import io.dnstapforwarder.testkit.NumberedEvents;
import io.dnstapforwarder.testkit.TestKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code dnstap-forwarder tap} as an operator runs it: events on standard output, logs on standard error. */
@Timeout(120)
class TapIT {

    private static final Path LAUNCHER = Path.of("..", "bin", "dnstap-forwarder").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void printsTheTopicsEventsAsHecJsonOnePerLine() throws Exception {
        String topic = TestKafka.createTopic(TestKafka.uniqueTopic("tap"), 1);
        try (NumberedEvents events = new NumberedEvents(TestKafka.bootstrapServers(), topic)) {
            events.produce(0, 20, null);
            events.send(null, "not an envelope".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            events.produce(20, 25, null);
        }
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toString(), "tap", "--from-beginning", "--count", "25")
                .directory(dir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().put("DNSTAP_SKIP_BUILD", "1");
        builder.environment().put("DNSTAP_KAFKA_BOOTSTRAP", TestKafka.bootstrapServers());
        builder.environment().put("DNSTAP_KAFKA_TOPIC", topic);
        Process tap = builder.start();

        assertThat(tap.waitFor(90, TimeUnit.SECONDS)).isTrue();
        String errors = Files.readString(err);
        assertThat(tap.exitValue()).as(errors).isZero();
        List<Long> ids = new ArrayList<>();
        for (String line : Files.readAllLines(out)) {
            JsonNode event = Json.exactDecimals().readTree(line);
            assertThat(event.path("sourcetype").asText()).isEqualTo("dnstap");
            ids.add(event.at("/event/connection_id").asLong());
        }
        assertThat(ids).containsExactlyElementsOf(NumberedEvents.range(0, 25));
        assertThat(errors).contains(topic + "-0@20: not a dnstap event");
    }
}
