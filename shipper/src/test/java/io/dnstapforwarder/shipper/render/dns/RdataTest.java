package io.dnstapforwarder.shipper.render.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnstapforwarder.dnstap.Dnstap;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.testkit.TestData;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;

class RdataTest {

    private static final Name OWNER = Name.fromConstantString("example.");

    /** dnsjava's rdataToString is the reference for every type written here. */
    @Test
    void writesTheSameTextAsDnsjavaForEveryRecordOfTheCapture() throws Exception {
        List<Record> records = new ArrayList<>();
        for (byte[] frame : FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL), DnstapEvents.DNSTAP_CONTENT_TYPE)) {
            io.dnstapforwarder.dnstap.Message message = Dnstap.parseFrom(frame).getMessage();
            for (com.google.protobuf.ByteString wire : List.of(message.getQueryMessage(), message.getResponseMessage())) {
                if (!wire.isEmpty()) {
                    Message decoded = new Message(wire.toByteArray());
                    for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
                        records.addAll(decoded.getSection(section));
                    }
                }
            }
        }
        char[] buffer = new char[Rdata.MAX_CHARS];
        int written = 0;
        for (Record record : records) {
            int length = Rdata.write(record, buffer);
            if (length >= 0) {
                assertThat(new String(buffer, 0, length)).as(record.toString()).isEqualTo(record.rdataToString());
                written++;
            }
        }

        assertThat(written).as("records of the types written here").isGreaterThan(10);
    }

    @Test
    void writesUnusualNamesAndLargestNumbersAsDnsjavaDoes() throws Exception {
        Name odd = new Name(new byte[] {3, 'a', '.', ' ', 4, 'W', 'w', 0, (byte) 0xff, 0});
        List<Record> records = List.of(
                new SOARecord(OWNER, DClass.IN, 3600, Name.root, odd, 4_294_967_295L, 0, 1, 7200, 86_400),
                new SOARecord(OWNER, DClass.IN, 3600, Name.fromString("ns1.example."), Name.fromString("h\\@st.example."),
                        2_026_112_901L, 10_800, 3600, 604_800, 300),
                new NSRecord(OWNER, DClass.IN, 60, Name.root),
                new CNAMERecord(OWNER, DClass.IN, 60, odd),
                new PTRRecord(Name.fromString("1.2.0.192.in-addr.arpa."), DClass.IN, 60, Name.fromString("host.example.")),
                new ARecord(OWNER, DClass.IN, 60, InetAddress.getByAddress(new byte[] {(byte) 255, 0, 10, 1})));

        for (Record record : records) {
            assertThat(Rdata.text(record)).as(record.toString()).isEqualTo(record.rdataToString());
        }
    }

    @Test
    void leavesOtherTypesToDnsjava() throws Exception {
        TXTRecord txt = new TXTRecord(OWNER, DClass.IN, 60, "v=spf1 -all");

        assertThat(Rdata.write(txt, new char[Rdata.MAX_CHARS])).isEqualTo(-1);
        assertThat(Rdata.text(txt)).isEqualTo("\"v=spf1 -all\"");
    }
}
