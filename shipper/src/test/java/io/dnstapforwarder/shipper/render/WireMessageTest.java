package io.dnstapforwarder.shipper.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.dnstapforwarder.dnstap.Dnstap;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.shipper.enrich.Enrichment;
import io.dnstapforwarder.shipper.render.dns.DnsMessageView;
import io.dnstapforwarder.shipper.render.dns.DnsjavaMessage;
import io.dnstapforwarder.shipper.render.dns.Rdata;
import io.dnstapforwarder.shipper.render.dns.WireMessage;
import io.dnstapforwarder.testkit.TestData;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.Address;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.CookieOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSOutput;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TcpKeepaliveOption;
import org.xbill.DNS.Type;

/**
 * dnsjava is the reference: a message {@link WireMessage} accepts must come out exactly as from
 * dnsjava's decode, and what dnsjava cannot decode it must refuse.
 */
// A pointer loop that is not refused would spin forever: fail the test instead.
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WireMessageTest {

    private static final int[] COVERED_TYPES = {Type.A, Type.AAAA, Type.NS, Type.CNAME, Type.SOA, Type.PTR, Type.MX,
        Type.TXT, Type.SRV};

    private final WireMessage wireMessage = new WireMessage();

    @Test
    void presentsEveryMessageOfTheUnboundCaptureAsDnsjavaDoes() throws Exception {
        List<byte[]> messages = captureMessages();
        for (byte[] wire : messages) {
            String expected = dnsjavaFields(wire);

            assertThat(expected).isNotNull();
            assertThat(wireFields(wire)).as(Arrays.toString(wire)).isEqualTo(expected);
        }
        assertThat(messages).hasSizeGreaterThan(600);
    }

    /** Random damage to real messages: counts, lengths, pointers, label bytes, truncation. */
    @Test
    void refusesWhatDnsjavaRejectsAndPresentsWhatItAcceptsUnderRandomDamage() throws Exception {
        List<byte[]> messages = captureMessages();
        Random random = new Random(20261129);
        int accepted = 0;
        int rejectedByBoth = 0;
        for (int n = 0; n < 30_000; n++) {
            byte[] wire = damage(messages.get(random.nextInt(messages.size())), random);
            String expected = dnsjavaFields(wire);
            String actual = wireFields(wire);
            if (actual != null) {
                assertThat(actual).as("accepted: " + Arrays.toString(wire)).isEqualTo(expected);
                accepted++;
            } else if (expected == null) {
                rejectedByBoth++;
            }
        }
        // Both outcomes are exercised, not only one.
        assertThat(accepted).isGreaterThan(3_000);
        assertThat(rejectedByBoth).isGreaterThan(3_000);
    }

    /** Messages dnsjava writes (with its name compression) of every covered type, odd bytes and EDNS options included. */
    @Test
    void presentsGeneratedMessagesOfEveryCoveredTypeAsDnsjavaDoes() throws Exception {
        Random random = new Random(7871);
        for (int n = 0; n < 5_000; n++) {
            byte[] wire = generatedMessage(random).toWire();

            String expected = dnsjavaFields(wire);
            assertThat(expected).isNotNull();
            assertThat(wireFields(wire)).as(Arrays.toString(wire)).isEqualTo(expected);
        }
    }

    /** TXT data whose text outgrows the writer's buffer (bytes outside ASCII take four characters each). */
    @Test
    void presentsTxtDataLongerThanTheBufferAsDnsjavaDoes() throws Exception {
        DNSOutput data = new DNSOutput();
        for (int i = 0; i < 4; i++) {
            byte[] string = new byte[255];
            Arrays.fill(string, (byte) (0x80 + i));
            data.writeCountedString(string);
        }
        Message message = new Message(7);
        message.addRecord(Record.newRecord(Name.fromString("long.example."), Type.TXT, DClass.IN, 60,
                data.toByteArray()), Section.ANSWER);
        byte[] wire = message.toWire();

        assertThat(4 * 4 * 255).isGreaterThan(Rdata.MAX_CHARS);
        assertThat(wireFields(wire)).isNotNull().isEqualTo(dnsjavaFields(wire));
    }

    @Test
    void leavesToDnsjavaWhatItDoesNotCover() throws Exception {
        Message caa = new Message(1);
        caa.addRecord(Record.newRecord(Name.fromString("example."), Type.CAA, DClass.IN, 60,
                new byte[] {0, 5, 'i', 's', 's', 'u', 'e', 'c', 'a'}), Section.ANSWER);
        Message extendedError = new Message(2);
        extendedError.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(new ExtendedErrorCodeOption(18, "x"))),
                Section.ADDITIONAL);
        Message update = new Message(3);
        update.getHeader().setOpcode(Opcode.UPDATE);
        Message optInAnswer = new Message(4);
        optInAnswer.addRecord(new OPTRecord(1232, 0, 0), Section.ANSWER);

        for (Message message : List.of(caa, extendedError, update, optInAnswer)) {
            byte[] wire = message.toWire();
            assertThat(wireMessage.read(ByteString.copyFrom(wire))).as(message.toString()).isFalse();
            assertThat(dnsjavaFields(wire)).isNotNull();
        }
    }

    /** dnsjava keeps the records before the cut of a message marked truncated (TC); this leaves such messages to it. */
    @Test
    void leavesTruncatedMessagesToDnsjava() throws Exception {
        Message message = generatedMessage(new Random(1));
        message.addRecord(Record.newRecord(Name.fromString("cut.example."), Type.A, DClass.IN, 1, new byte[4]),
                Section.ANSWER);
        message.getHeader().setFlag(Flags.TC);
        byte[] wire = message.toWire();
        byte[] cut = Arrays.copyOf(wire, wire.length - 2);

        assertThat(wireMessage.read(ByteString.copyFrom(cut))).isFalse();
        assertThat(dnsjavaFields(cut)).isNotNull();
    }

    @Test
    void refusesMalformedNamesAsDnsjavaDoes() {
        byte[] header = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
        List<byte[]> questions = List.of(
                new byte[] {(byte) 0xC0, 12, 0, 1, 0, 1}, // a pointer to itself
                new byte[] {1, 'a', (byte) 0xC0, 20, 0, 1, 0, 1}, // a pointer forward
                new byte[] {0x41, 'a', 0, 0, 1, 0, 1}, // label type 01
                new byte[] {3, 'a', 'b'}); // ends inside the label
        for (byte[] question : questions) {
            byte[] wire = new byte[header.length + question.length];
            System.arraycopy(header, 0, wire, 0, header.length);
            System.arraycopy(question, 0, wire, header.length, question.length);

            assertThat(wireMessage.read(ByteString.copyFrom(wire))).as(Arrays.toString(question)).isFalse();
            assertThat(dnsjavaFields(wire)).isNull();
        }
        byte[] longName = new byte[header.length + 4 * 64 + 1 + 4]; // four 63-byte labels: 257 bytes
        System.arraycopy(header, 0, longName, 0, header.length);
        for (int label = 0; label < 4; label++) {
            longName[header.length + 64 * label] = 63;
        }
        assertThat(wireMessage.read(ByteString.copyFrom(longName))).isFalse();
        assertThat(dnsjavaFields(longName)).isNull();
    }

    /** Data of a record or option that does not exactly fill its length is an error to dnsjava. */
    @Test
    void refusesDataThatDoesNotFillItsLength() throws Exception {
        byte[] soaWithAByteMore = new byte[2 + 20 + 1]; // two root names, five numbers, one byte too many
        List<byte[]> messages = List.of(
                answer(Type.SOA, soaWithAByteMore),
                answer(Type.A, new byte[5]),
                answer(Type.MX, new byte[] {0}),
                answer(Type.TXT, new byte[] {3, 'a', 'b'}),
                withOption(new GenericEDNSOption(11, new byte[1])), // TCP keepalive: 0 or 2 bytes
                withOption(new GenericEDNSOption(10, new byte[9]))); // cookie: 8, or 16 to 40 bytes
        for (byte[] wire : messages) {
            assertThat(wireMessage.read(ByteString.copyFrom(wire))).as(Arrays.toString(wire)).isFalse();
            assertThat(dnsjavaFields(wire)).isNull();
        }
    }

    /**
     * A compression pointer in record data to a label that reaches past the data: dnsjava reads on
     * to the end of the message once it followed a pointer, and so must this.
     */
    @Test
    void readsPastTheRecordDataAfterAPointerAsDnsjavaDoes() {
        byte[] wire = {0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, // one answer
            0, 0, 2, 0, 1, 0, 0, 0, 60, 0, 2, // root, NS, IN, TTL 60, 2 bytes of data
            (byte) 0xC0, 22, // a pointer to the data length's second byte: a label of 2 bytes, the pointer's
            0}; // the end of that name, past the data

        assertThat(dnsjavaFields(wire)).contains("\"rdata\":\"\\\\192\\\\022.\"");
        assertThat(wireFields(wire)).isEqualTo(dnsjavaFields(wire));
    }

    private static byte[] answer(int type, byte[] data) {
        DNSOutput out = new DNSOutput();
        out.writeByteArray(new byte[] {0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0});
        out.writeU16(type);
        out.writeU16(DClass.IN);
        out.writeU32(60);
        out.writeU16(data.length);
        out.writeByteArray(data);
        return out.toByteArray();
    }

    private static byte[] withOption(EDNSOption option) {
        Message message = new Message(6);
        message.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(option)), Section.ADDITIONAL);
        return message.toWire();
    }

    /** An IPv4-mapped address in a client subnet option: dnsjava fails on it, so this must not present it. */
    @Test
    void refusesAClientSubnetThatDnsjavaFailsOn() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = (byte) 192;
        DNSOutput data = new DNSOutput();
        data.writeU16(2);
        data.writeU8(104);
        data.writeU8(0);
        data.writeByteArray(mapped, 0, 13);
        Message message = new Message(5);
        message.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(new GenericEDNSOption(8, data.toByteArray()))),
                Section.ADDITIONAL);
        byte[] wire = message.toWire();

        assertThat(wireMessage.read(ByteString.copyFrom(wire))).isFalse();
        assertThat(dnsjavaFields(wire)).isNull();
    }

    private String wireFields(byte[] wire) {
        return wireMessage.read(ByteString.copyFrom(wire)) ? fields(wireMessage, wire.length) : null;
    }

    private static String dnsjavaFields(byte[] wire) {
        try {
            return fields(new DnsjavaMessage(new Message(wire)), wire.length);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String fields(DnsMessageView message, int size) {
        JsonWriter out = new JsonWriter(1024);
        out.startObject();
        new DnsMessageWriter(ClientPrivacy.NONE.local(), Enrichment.NONE).write(message, size, true, EventProfile.FULL, out);
        out.endObject();
        return new String(out.toByteArray(), StandardCharsets.UTF_8);
    }

    private static List<byte[]> captureMessages() throws Exception {
        List<byte[]> messages = new ArrayList<>();
        for (byte[] frame : FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL), DnstapEvents.DNSTAP_CONTENT_TYPE)) {
            io.dnstapforwarder.dnstap.Message message = Dnstap.parseFrom(frame).getMessage();
            for (ByteString wire : List.of(message.getQueryMessage(), message.getResponseMessage())) {
                if (!wire.isEmpty()) {
                    messages.add(wire.toByteArray());
                }
            }
        }
        return messages;
    }

    private static byte[] damage(byte[] message, Random random) {
        byte[] wire = message.clone();
        for (int i = 1 + random.nextInt(3); i > 0; i--) {
            int at = random.nextInt(wire.length);
            switch (random.nextInt(6)) {
                case 0 -> wire[4 + random.nextInt(8)] = (byte) random.nextInt(3); // a section count
                case 1 -> wire[at] = (byte) (0xC0 | random.nextInt(4)); // a pointer
                case 2 -> wire[at] = (byte) random.nextInt(64); // a label or data length
                case 3 -> wire = Arrays.copyOf(wire, Math.max(0, wire.length - 1 - random.nextInt(8)));
                default -> wire[at] = (byte) random.nextInt(256);
            }
            if (wire.length == 0) {
                break;
            }
        }
        return wire;
    }

    /** A message of random header, question, records of the covered types and EDNS options. */
    private static Message generatedMessage(Random random) throws Exception {
        Message message = new Message(random.nextInt(65536));
        for (int flag : new int[] {Flags.QR, Flags.AA, Flags.RD, Flags.RA, Flags.AD, Flags.CD}) {
            if (random.nextBoolean()) {
                message.getHeader().setFlag(flag);
            }
        }
        message.getHeader().setOpcode(random.nextInt(3));
        message.getHeader().setRcode(random.nextInt(16));
        List<Name> names = new ArrayList<>(List.of(Name.root, Name.fromString("example.com."), Name.fromString("a.EXAMPLE.com.")));
        message.addRecord(Record.newRecord(name(random, names), random.nextInt(65536), DClass.IN), Section.QUESTION);
        for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
            for (int i = random.nextInt(4); i > 0; i--) {
                int type = COVERED_TYPES[random.nextInt(COVERED_TYPES.length)];
                int dclass = random.nextInt(5) == 0 ? random.nextInt(65536) : DClass.IN;
                long ttl = random.nextInt(5) == 0 ? Integer.MAX_VALUE - random.nextInt(10) : random.nextInt(86400); // dnsjava builds no larger
                byte[] data = rdata(type, random, names);
                message.addRecord(Record.newRecord(name(random, names), type, dclass, ttl, data.length, data), section);
            }
        }
        if (random.nextInt(4) > 0) {
            message.addRecord(new OPTRecord(512 + random.nextInt(4000), random.nextInt(256), random.nextInt(2),
                    random.nextBoolean() ? 0x8000 : 0, options(random)), Section.ADDITIONAL);
        }
        return message;
    }

    private static List<EDNSOption> options(Random random) throws Exception {
        List<EDNSOption> options = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            switch (random.nextInt(5)) {
                case 0 -> options.add(new CookieOption(bytes(random, 8), random.nextBoolean() ? bytes(random, 16 + random.nextInt(17)) : null));
                case 1 -> options.add(random.nextBoolean() ? new TcpKeepaliveOption() : new TcpKeepaliveOption(random.nextInt(65536)));
                case 2 -> {
                    boolean v6 = random.nextBoolean();
                    InetAddress address = InetAddress.getByAddress(bytes(random, v6 ? 16 : 4));
                    int prefix = random.nextInt(v6 ? 129 : 33);
                    if (address.getAddress().length == (v6 ? 16 : 4)) {
                        options.add(new ClientSubnetOption(prefix, 0, Address.truncate(address, prefix)));
                    }
                }
                case 3 -> options.add(new GenericEDNSOption(12, new byte[random.nextInt(40)])); // padding
                default -> options.add(new GenericEDNSOption(random.nextInt(65000) + 20, bytes(random, random.nextInt(10))));
            }
        }
        return options;
    }

    private static byte[] rdata(int type, Random random, List<Name> names) throws Exception {
        DNSOutput out = new DNSOutput();
        switch (type) {
            case Type.A -> out.writeByteArray(bytes(random, 4));
            case Type.AAAA -> out.writeByteArray(random.nextBoolean() ? bytes(random, 16) : sparseIpv6(random));
            case Type.NS, Type.CNAME, Type.PTR -> name(random, names).toWire(out, null);
            case Type.MX -> {
                out.writeU16(random.nextInt(65536));
                name(random, names).toWire(out, null);
            }
            case Type.SRV -> {
                out.writeU16(random.nextInt(65536));
                out.writeU16(random.nextInt(65536));
                out.writeU16(random.nextInt(65536));
                name(random, names).toWire(out, null);
            }
            case Type.SOA -> {
                name(random, names).toWire(out, null);
                name(random, names).toWire(out, null);
                for (int i = 0; i < 5; i++) {
                    out.writeU32(random.nextBoolean() ? random.nextInt(Integer.MAX_VALUE) : 0xFFFFFFFFL);
                }
            }
            case Type.TXT -> {
                for (int i = random.nextInt(4); i > 0; i--) {
                    byte[] string = random.nextBoolean() ? bytes(random, random.nextInt(40))
                            : "v=spf1 \"quoted\" back\\slash".getBytes(StandardCharsets.US_ASCII);
                    out.writeCountedString(string);
                }
            }
            default -> throw new IllegalArgumentException("type " + type);
        }
        return out.toByteArray();
    }

    /** A name of 0 to 3 new labels, mostly letters, sometimes any byte, under a name seen before (so that it compresses). */
    private static Name name(Random random, List<Name> names) throws Exception {
        Name name = names.get(random.nextInt(names.size()));
        for (int i = random.nextInt(4); i > 0; i--) {
            byte[] label = new byte[1 + random.nextInt(random.nextInt(8) == 0 ? 63 : 10)];
            for (int b = 0; b < label.length; b++) {
                label[b] = (byte) (random.nextInt(6) == 0 ? random.nextInt(256) : 'a' + random.nextInt(26));
            }
            DNSOutput out = new DNSOutput();
            out.writeCountedString(label);
            if (out.current() + name.length() > 255) {
                break;
            }
            out.writeByteArray(name.toWire());
            name = new Name(out.toByteArray());
        }
        names.add(name);
        return name;
    }

    private static byte[] sparseIpv6(Random random) {
        byte[] address = new byte[16];
        for (int i = 0; i < 16; i += 2) {
            if (random.nextInt(3) == 0) {
                address[i + 1] = (byte) random.nextInt(256);
            }
        }
        return address;
    }

    private static byte[] bytes(Random random, int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return bytes;
    }
}
