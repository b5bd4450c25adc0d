package io.dnstapforwarder.shipper.hec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class HecRequestTest {

    @Test
    void splitsEventsIntoRequestsOfAtMostTheByteLimitInOrder() {
        List<HecRequest.Event> entries = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            entries.add(entry(i, 99)); // 100 bytes with its newline
        }

        List<HecRequest> requests = HecRequest.split(entries, 350);

        assertThat(requests).extracting(HecRequest::size).containsExactly(3, 3, 3, 1);
        assertThat(requests).allSatisfy(request -> assertThat(request.bytes()).isLessThanOrEqualTo(350));
        assertThat(requests.stream().flatMap(request -> request.records().stream()).map(ConsumerRecord::offset))
                .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    }

    @Test
    void anEventLargerThanTheLimitGoesAlone() {
        List<HecRequest> requests = HecRequest.split(List.of(entry(0, 10), entry(1, 500), entry(2, 10)), 100);

        assertThat(requests).extracting(HecRequest::size).containsExactly(1, 1, 1);
    }

    @Test
    void theBodyIsTheEventsOnePerLineAndGzipsToTheSameBytes() throws IOException {
        HecRequest batch = new HecRequest(List.of(entry(0, 3), entry(1, 3)));

        assertThat(new String(batch.body(), StandardCharsets.UTF_8)).isEqualTo("{0}\n{1}\n");
        byte[] gzipped = batch.gzippedBody(1);
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            assertThat(in.readAllBytes()).isEqualTo(batch.body());
        }
        assertThat(batch.gzippedBody(1)).isSameAs(gzipped);
        assertThat(batch.slice(1, 2).records()).extracting(ConsumerRecord::offset).containsExactly(1L);
    }

    @Test
    void aBodyOfManyChunksAndAnEventLargerThanAChunkGzipsWhole() throws IOException {
        List<HecRequest.Event> events = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            events.add(entry(i, i == 150 ? 100_000 : 700));
        }
        HecRequest batch = new HecRequest(events);

        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(batch.gzippedBody(6)))) {
            assertThat(in.readAllBytes()).isEqualTo(batch.body());
        }
    }

    private static HecRequest.Event entry(long offset, int size) {
        String digits = Long.toString(offset);
        StringBuilder event = new StringBuilder("{").append(digits);
        while (event.length() < size - 1) {
            event.append(' ');
        }
        event.append('}');
        return new HecRequest.Event(new ConsumerRecord<>("t", 0, offset, null, null),
                event.toString().getBytes(StandardCharsets.UTF_8));
    }
}
