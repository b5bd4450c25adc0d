package io.dnstapforwarder.shipper.hec;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnstapforwarder.shipper.testing.Records;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local file sink: what the shipper writes when no HEC URL is set. */
class JsonLinesFileSinkTest {

    @TempDir
    Path dir;

    @Test
    void appendsEachRequestAndCountsItDelivered() throws Exception {
        Path file = dir.resolve("events.jsonl");
        try (JsonLinesFileSink sink = new JsonLinesFileSink(file)) {
            assertThat(sink.deliver(request(0, "{\"event\":1}"))).isEqualTo(new Outcome.Delivered(-1));
            assertThat(sink.deliver(request(1, "{\"event\":2}"))).isEqualTo(new Outcome.Delivered(-1));
        }
        try (JsonLinesFileSink again = new JsonLinesFileSink(file)) {
            again.deliver(request(2, "{\"event\":3}"));
        }

        assertThat(Files.readAllLines(file)).containsExactly("{\"event\":1}", "{\"event\":2}", "{\"event\":3}");
    }

    @Test
    void aWriteOnAnInterruptedThreadDoesNotBreakTheFileForTheWritesAfterIt() throws Exception {
        Path file = dir.resolve("events.jsonl");
        try (JsonLinesFileSink sink = new JsonLinesFileSink(file)) {
            Thread.currentThread().interrupt(); // a delivery cancelled by a rebalance, as it writes
            Outcome interrupted;
            try {
                interrupted = sink.deliver(request(0, "{\"event\":1}"));
            } finally {
                Thread.interrupted();
            }

            Outcome after = sink.deliver(request(1, "{\"event\":2}"));

            assertThat(interrupted).isEqualTo(new Outcome.Delivered(-1));
            assertThat(after).isEqualTo(new Outcome.Delivered(-1));
        }
        assertThat(Files.readAllLines(file)).containsExactly("{\"event\":1}", "{\"event\":2}");
    }

    private static HecRequest request(long offset, String json) {
        return new HecRequest(List.of(new HecRequest.Event(Records.numbered(0, offset),
                json.getBytes(StandardCharsets.UTF_8))));
    }
}
