package io.dnstapforwarder.shipper.shape;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.dnstapforwarder.dnstap.Dnstap;
import io.dnstapforwarder.dnstap.Message;
import io.dnstapforwarder.event.DnstapPeek;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.micrometer.core.instrument.Counter;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Events per DNS server, with a bounded number of series whatever the senders claim to be. */
class ServerMetersTest {

    private final ComponentMetrics metrics = new ComponentMetrics(ComponentMetrics.newPrometheusRegistry(), "shipper", "s");
    private final ServerMeters meters = new ServerMeters(metrics, 2);
    private final ServerMeters.Local local = meters.local();
    private final DnstapPeek peek = new DnstapPeek();

    @Test
    void countsEachOfTheFirstServersAloneAndEveryLaterOneAsOther() {
        for (String identity : new String[] {"ns1", "ns1", "ns2", "ns3", "ns4", "ns1", "ns4"}) {
            count(identity);
        }
        count(null);
        byte[] frame = Dnstap.newBuilder().setType(Dnstap.Type.MESSAGE).setIdentity(ByteString.copyFromUtf8("ns1"))
                .setMessage(Message.newBuilder().setType(Message.Type.CLIENT_QUERY)).build().toByteArray();
        assertThat(peek.read(DnstapPeekTest.envelope(Arrays.copyOf(frame, frame.length - 1)))).as("a truncated frame")
                .isFalse();
        local.count(peek);

        assertThat(counts()).as("every record read counted once, the unreadable one as unknown")
                .isEqualTo(new TreeMap<>(Map.of("ns1", 3.0, "ns2", 1.0, "other", 3.0, "unknown", 2.0)));
    }

    @Test
    void aFloodOfIdentitiesAddsOneSeriesNotOneEach() {
        for (int i = 0; i < 10_000; i++) {
            count("forged-" + i);
        }

        assertThat(counts()).hasSize(3).containsEntry("other", 9_998.0);
    }

    private void count(String identity) {
        Dnstap.Builder dnstap = Dnstap.newBuilder().setType(Dnstap.Type.MESSAGE)
                .setMessage(Message.newBuilder().setType(Message.Type.CLIENT_QUERY));
        if (identity != null) {
            dnstap.setIdentity(ByteString.copyFromUtf8(identity));
        }
        assertThat(peek.read(DnstapPeekTest.envelope(dnstap.build().toByteArray()))).isTrue();
        local.count(peek);
    }

    private Map<String, Double> counts() {
        Map<String, Double> counts = new TreeMap<>();
        for (Counter counter : metrics.registry().find("dnstap.shipper.server.events").counters()) {
            counts.put(counter.getId().getTag("server"), counter.count());
        }
        return counts;
    }
}
