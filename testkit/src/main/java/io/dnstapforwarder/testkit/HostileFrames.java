package io.dnstapforwarder.testkit;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.dnstapforwarder.dnstap.Dnstap;
import io.dnstapforwarder.dnstap.Message;
import io.dnstapforwarder.dnstap.Policy;
import io.dnstapforwarder.dnstap.SocketFamily;
import io.dnstapforwarder.dnstap.SocketProtocol;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.fstrm.FrameStreamWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A corpus of hostile dnstap frames: what a buggy or malicious DNS server can send that a
 * well-behaved one never does. Each is one Frame Streams data frame; some are valid dnstap
 * protobuf with values no clock or DNS message has, some are not protobuf at all. Every one is
 * marked with the identity {@value #IDENTITY} where it carries one, so tests can tell it from the
 * real capture it is mixed into.
 *
 * <p>The frames are built here, in code, and kept in {@code testdata/hostile.fstrm} so that
 * other tools ({@code fstrm_replay}) can send them too; {@code HostileFramesTest} holds the file
 * to what this class builds. {@code main} writes the file again.
 */
public final class HostileFrames {

    public static final String FILE = "hostile.fstrm";
    public static final String IDENTITY = "hostile";

    /** One hostile frame and what is wrong with it. */
    public record Frame(String name, byte[] bytes) {
    }

    private HostileFrames() {
    }

    /** The corpus, in the order of the file. */
    public static List<Frame> build() {
        List<Frame> frames = new ArrayList<>();
        frames.add(new Frame("query_time_sec above 2^63, nsec past a second",
                dnstap(response().setQueryTimeSec(-1L).setQueryTimeNsec(-1).setResponseTimeSec(Long.MIN_VALUE))));
        frames.add(new Frame("not protobuf at all", "\u00ff\u00fe GET / HTTP/1.1\r\n".getBytes(StandardCharsets.ISO_8859_1)));
        frames.add(new Frame("protobuf cut short in a field", Arrays.copyOf(dnstap(response()), 20)));
        frames.add(new Frame("fields this dnstap.proto does not know", withUnknownFields(dnstap(response()))));
        frames.add(new Frame("a DNS name that points at itself", dnstap(response()
                .setResponseMessage(ByteString.copyFrom(dns(0, 1, 0, 0, new byte[] {(byte) 0xC0, 12, 0, 1, 0, 1}))))));
        frames.add(new Frame("a DNS name of more than 255 bytes", dnstap(query()
                .setQueryMessage(ByteString.copyFrom(dns(0, 1, 0, 0, longName(300)))))));
        frames.add(new Frame("DNS counts that promise 65535 records and hold none", dnstap(response()
                .setResponseMessage(ByteString.copyFrom(dns(1, 65535, 65535, 65535, new byte[0]))))));
        frames.add(new Frame("a DNS record whose length runs past the message", dnstap(response()
                .setResponseMessage(ByteString.copyFrom(dns(1, 1, 0, 0, concat(question(), new byte[] {(byte) 0xC0, 12,
                        0, 1, 0, 1, 0, 0, 0, 60, (byte) 0xFF, (byte) 0xFF, 1, 2, 3, 4})))))));
        frames.add(new Frame("a DNS message of five bytes", dnstap(query()
                .setQueryMessage(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5})))));
        frames.add(new Frame("an EDNS option longer than its record", dnstap(query()
                .setQueryMessage(ByteString.copyFrom(dns(1, 0, 0, 1, concat(question(), new byte[] {0, 0, 41, 4, (byte) 0xD0,
                        0, 0, (byte) 0x80, 0, 0, 8, 0, 10, 0, 100, 1, 2, 3, 4})))))));
        frames.add(new Frame("a client-subnet option of an unknown family", dnstap(query()
                .setQueryMessage(ByteString.copyFrom(dns(1, 0, 0, 1, concat(question(), new byte[] {0, 0, 41, 4, (byte) 0xD0,
                        0, 0, 0, 0, 0, 8, 0, 8, 0, 4, 0, 99, 24, 0})))))));
        frames.add(new Frame("identity and version that are not UTF-8, with quotes and control bytes",
                Dnstap.newBuilder().setType(Dnstap.Type.MESSAGE)
                        .setIdentity(ByteString.copyFrom(new byte[] {(byte) 0xFF, (byte) 0xFE, '"', '\\', 0, 7, '\n'}))
                        .setVersion(ByteString.copyFrom(new byte[] {(byte) 0xC3, '"', '}'}))
                        .setMessage(response()).build().toByteArray()));
        frames.add(new Frame("60 KiB of every byte in extra", Dnstap.newBuilder().setType(Dnstap.Type.MESSAGE)
                .setIdentity(ByteString.copyFromUtf8(IDENTITY)).setExtra(ByteString.copyFrom(everyByte(60 * 1024)))
                .setMessage(response()).build().toByteArray()));
        frames.add(new Frame("addresses of 7 and 0 bytes, ports above 65535", dnstap(query()
                .setQueryAddress(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7})).setResponseAddress(ByteString.EMPTY)
                .setQueryPort(-1).setResponsePort(70_000))));
        frames.add(new Frame("a policy of junk: a rule that is no name, a 3-byte client address", dnstap(response()
                .setPolicy(Policy.newBuilder().setType("\u0000\"rpz").setRule(ByteString.copyFrom(everyByte(40)))
                        .setMatch(Policy.Match.CLIENT_IP).setValue(ByteString.copyFrom(new byte[] {10, 0, 0})).build()))));
        frames.add(new Frame("a query zone that is no name", dnstap(response()
                .setQueryZone(ByteString.copyFrom(new byte[] {63, 'a', (byte) 0xC0})))));
        frames.add(new Frame("one byte: a field tag and nothing after it", new byte[] {0x08}));
        frames.add(new Frame("protobuf nested deeper than any parser goes", deeplyNested(200)));
        frames.add(new Frame("a message type no dnstap.proto has", withMessageType(99)));
        return frames;
    }

    /** The corpus as the committed file holds it. */
    public static List<byte[]> read() {
        try {
            return FrameStreamFile.readAll(TestData.path(FILE), DnstapEvents.DNSTAP_CONTENT_TYPE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the corpus to {@code testdata/hostile.fstrm} (args[0], when given). */
    public static void main(String[] args) throws IOException {
        Path file = args.length > 0 ? Path.of(args[0]) : Path.of("testdata", FILE);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
                FrameStreamWriter writer = FrameStreamWriter.open(channel, DnstapEvents.DNSTAP_CONTENT_TYPE, false)) {
            for (Frame frame : build()) {
                writer.write(frame.bytes());
            }
        }
    }

    private static Message.Builder query() {
        return Message.newBuilder().setType(Message.Type.CLIENT_QUERY).setSocketFamily(SocketFamily.INET)
                .setSocketProtocol(SocketProtocol.UDP).setQueryTimeSec(1_795_964_864L).setQueryTimeNsec(1000);
    }

    private static Message.Builder response() {
        return Message.newBuilder().setType(Message.Type.CLIENT_RESPONSE).setSocketFamily(SocketFamily.INET6)
                .setSocketProtocol(SocketProtocol.TCP).setResponseTimeSec(1_795_964_864L).setResponseTimeNsec(2000);
    }

    private static byte[] dnstap(Message.Builder message) {
        return Dnstap.newBuilder().setType(Dnstap.Type.MESSAGE).setIdentity(ByteString.copyFromUtf8(IDENTITY))
                .setMessage(message).build().toByteArray();
    }

    /** A DNS header (id 0x4242, QR and RD set) with the given counts, then {@code body}. */
    private static byte[] dns(int questions, int answers, int authority, int additional, byte[] body) {
        byte[] header = {0x42, 0x42, (byte) 0x81, 0, (byte) (questions >> 8), (byte) questions, (byte) (answers >> 8),
            (byte) answers, (byte) (authority >> 8), (byte) authority, (byte) (additional >> 8), (byte) additional};
        return concat(header, body);
    }

    private static byte[] question() {
        return new byte[] {3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1};
    }

    private static byte[] longName(int bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (out.size() < bytes) {
            out.write(63);
            out.writeBytes("a".repeat(63).getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(new byte[] {0, 0, 1, 0, 1});
        return out.toByteArray();
    }

    private static byte[] everyByte(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    private static byte[] withUnknownFields(byte[] message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            CodedOutputStream coded = CodedOutputStream.newInstance(out);
            coded.writeRawBytes(message);
            coded.writeUInt64(99, Long.MIN_VALUE);
            coded.writeBytes(100, ByteString.copyFrom(everyByte(300)));
            coded.writeFixed32(101, -1);
            coded.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Groups in groups, {@code depth} deep, in an unknown field: protobuf's parser stops at 100. */
    private static byte[] deeplyNested(int depth) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < depth; i++) {
            out.write((50 << 3) | 3); // start group, field 50
        }
        for (int i = 0; i < depth; i++) {
            out.write((50 << 3) | 4); // end group
        }
        return out.toByteArray();
    }

    /** Message.type, a required enum, set to a value the enum does not have. */
    private static byte[] withMessageType(int type) {
        byte[] valid = dnstap(query());
        byte[] message = query().build().toByteArray();
        int at = indexOf(valid, message);
        // Message.type is field 1, a varint: the message's first bytes are its tag (0x08) and value.
        byte[] patched = valid.clone();
        patched[at + 1] = (byte) type;
        return patched;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new IllegalStateException("not found");
    }
}
