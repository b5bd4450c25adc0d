package io.dnstapforwarder.shipper.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.shipper.pair.TransactionKind;
import io.dnstapforwarder.testkit.Json;
import io.dnstapforwarder.testkit.TestData;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** {@code event_id}: the same record, the same id, whoever renders it; another record, another id. */
class EventIdsTest {

    @Test
    void everyEventOfTheCaptureHasItsOwnIdAndTheSameOneRenderedAgain() throws Exception {
        List<DnstapEvent> capture = capture(1);
        Set<String> ids = new HashSet<>();
        for (DnstapEvent event : capture) {
            String id = id(new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null)).render(event));
            assertThat(id).matches("[A-Za-z0-9_-]{16}");
            assertThat(ids.add(id)).as("unique").isTrue();
            // Sent again: by another shipper, after a restart, in another profile, shaped: the same id.
            assertThat(id(new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null, EventProfile.COMPACT))
                    .render(event, EventProfile.COMPACT, 10))).isEqualTo(id);
        }
        assertThat(ids).hasSize(652);
    }

    /** Every message of the capture stamped with one receipt time (a collector reads frames in batches). */
    @Test
    void framesReceivedInTheSameNanosecondStillGetTheirOwnIds() throws Exception {
        Set<String> ids = new HashSet<>();
        HecEventRenderer renderer = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null));
        for (DnstapEvent event : capture(7)) {
            ids.add(id(renderer.render(event)));
        }
        assertThat(ids).hasSize(652);
    }

    @Test
    void aTransactionsIdIsThePairsNeitherHalfs() throws Exception {
        List<DnstapEvent> capture = capture(1);
        HecEventRenderer renderer = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null));
        String query = id(renderer.render(capture.get(0)));
        String response = id(renderer.render(capture.get(1)));
        String pair = id(renderer.render(TransactionKind.PAIRED, capture.get(0), capture.get(1), EventProfile.FULL, 1,
                null));
        String unanswered = id(renderer.render(TransactionKind.UNANSWERED, capture.get(0), null, EventProfile.FULL, 1,
                null));

        assertThat(pair).isNotIn(query, response);
        assertThat(unanswered).as("an unanswered query's event is its record's").isEqualTo(query);
        assertThat(id(new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null)).render(TransactionKind.PAIRED,
                capture.get(0), capture.get(1), EventProfile.CIM, 1, null))).isEqualTo(pair);
    }

    /** Any frame: one byte changed, or another connection or collector, is another record. */
    @Property(tries = 300)
    void anyDifferenceInTheRecordGivesAnotherId(@ForAll @Size(min = 1, max = 600) byte[] frame,
            @ForAll @IntRange(min = 0, max = 599) int at) {
        DnstapEvent event = DnstapEvent.newBuilder().setFrame(ByteString.copyFrom(frame)).setCollectorId("c1")
                .setConnectionId(3).setReceivedAtNs(42).setContentType(DnstapEvents.DNSTAP_CONTENT_TYPE).build();
        byte[] changed = frame.clone();
        changed[at % frame.length] ^= 1;
        long hash = EventIds.hash(event);

        assertThat(EventIds.hash(event.toBuilder().build())).isEqualTo(hash);
        assertThat(EventIds.hash(event.toBuilder().setFrame(ByteString.copyFrom(changed)).build())).isNotEqualTo(hash);
        assertThat(EventIds.hash(event.toBuilder().setConnectionId(4).build())).isNotEqualTo(hash);
        assertThat(EventIds.hash(event.toBuilder().setCollectorId("c2").build())).isNotEqualTo(hash);
        byte[] longer = java.util.Arrays.copyOf(frame, frame.length + 1);
        assertThat(EventIds.hash(event.toBuilder().setFrame(ByteString.copyFrom(longer)).build()))
                .as("a zero byte more").isNotEqualTo(hash);
    }

    private static String id(byte[] hec) throws Exception {
        JsonNode event = Json.exactDecimals().readTree(hec).get("event");
        return event.get("event_id").asText();
    }

    private static List<DnstapEvent> capture(long receivedAtNs) throws Exception {
        List<byte[]> frames = FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL), DnstapEvents.DNSTAP_CONTENT_TYPE);
        return frames.stream().map(frame -> DnstapEvent.newBuilder().setFrame(ByteString.copyFrom(frame))
                .setContentType(DnstapEvents.DNSTAP_CONTENT_TYPE).setCollectorId("collector-1").setConnectionId(7)
                .setReceivedAtNs(receivedAtNs == 1 ? 1_000 + frames.indexOf(frame) : receivedAtNs).build()).toList();
    }
}
