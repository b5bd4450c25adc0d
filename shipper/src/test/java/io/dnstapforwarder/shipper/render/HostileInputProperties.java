package io.dnstapforwarder.shipper.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.dnstapforwarder.dnstap.Dnstap;
import io.dnstapforwarder.dnstap.HttpProtocol;
import io.dnstapforwarder.dnstap.Message;
import io.dnstapforwarder.dnstap.Policy;
import io.dnstapforwarder.dnstap.SocketFamily;
import io.dnstapforwarder.dnstap.SocketProtocol;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.event.Transport;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.testkit.HecEmulator;
import io.dnstapforwarder.testkit.Json;
import io.dnstapforwarder.testkit.TestData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever a DNS server, a broken one or a hostile one, puts in a dnstap frame, rendering it
 * never throws, and what comes out is one JSON object that the strict HEC emulator indexes, timed
 * between 1970 and 2100. Generated: every field of dnstap.proto, present or not, with extreme and
 * unknown values, unknown fields, and DNS messages of the Unbound capture mutated (bits flipped,
 * cut short, counts and lengths that lie, compression loops, names past 255 bytes).
 */
class HostileInputProperties {

    private static final long RECEIVED_AT = 1_795_964_900_123_456_789L;
    private static final BigDecimal LATEST = BigDecimal.valueOf(4_102_444_800L);
    private static final List<byte[]> CAPTURED_MESSAGES = capturedMessages();
    private final ObjectMapper json = Json.exactDecimals();
    private final HecEventRenderer renderer = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", "main"));

    @Property(tries = 3000)
    void anyDnstapMessageRendersAsAnEventHecTakes(@ForAll("dnstapFrames") byte[] frame) throws Exception {
        checkRendered(frame);
    }

    @Property(tries = 3000)
    void anyMutationOfARealDnsMessageRendersAsAnEventHecTakes(@ForAll("mutatedMessages") byte[] wire,
            @ForAll boolean response) throws Exception {
        Message.Builder message = Message.newBuilder().setType(response ? Message.Type.CLIENT_RESPONSE
                : Message.Type.CLIENT_QUERY).setQueryTimeSec(1_795_964_864L).setQueryTimeNsec(5);
        if (response) {
            message.setResponseMessage(ByteString.copyFrom(wire));
        } else {
            message.setQueryMessage(ByteString.copyFrom(wire));
        }
        checkRendered(Dnstap.newBuilder().setType(Dnstap.Type.MESSAGE).setMessage(message).build().toByteArray());
    }

    @Property(tries = 1000)
    void anyBytesAtAllRenderAsAnEventHecTakes(@ForAll("bytes") byte[] frame) throws Exception {
        checkRendered(frame);
    }

    private void checkRendered(byte[] frame) throws IOException {
        DnstapEvent envelope = DnstapEvent.newBuilder().setFrame(ByteString.copyFrom(frame))
                .setContentType(DnstapEvents.DNSTAP_CONTENT_TYPE).setCollectorId("collector-1").setConnectionId(1)
                .setTransport(Transport.TCP).setPeerAddress("192.0.2.1").setPeerPort(6000).setReceivedAtNs(RECEIVED_AT)
                .build();

        byte[] rendered = renderer.render(envelope);

        assertThat(HecEmulator.rejection(rendered)).as("HEC's answer").isNull();
        JsonNode event = json.readTree(rendered);
        assertThat(event.isObject()).isTrue();
        BigDecimal time = event.get("time").decimalValue();
        assertThat(time).isBetween(BigDecimal.ZERO, LATEST);
        assertThat(event.get("event").isObject()).isTrue();
    }

    @Provide
    Arbitrary<byte[]> bytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(600);
    }

    @Provide
    Arbitrary<byte[]> mutatedMessages() {
        Arbitrary<byte[]> captured = Arbitraries.of(CAPTURED_MESSAGES);
        return Combinators.combine(captured, Arbitraries.integers().between(0, 7),
                Arbitraries.integers().between(0, Integer.MAX_VALUE), Arbitraries.integers().between(0, 255))
                .as(HostileInputProperties::mutate);
    }

    /** One mutation of a real DNS message, chosen by {@code kind}. */
    static byte[] mutate(byte[] original, int kind, int where, int value) {
        byte[] wire = original.clone();
        int at = where % Math.max(1, wire.length);
        switch (kind) {
            case 0 -> wire[at] ^= (byte) (1 << (value % 8)); // a bit flipped
            case 1 -> wire = java.util.Arrays.copyOf(wire, at); // cut short
            case 2 -> { // a count that lies
                if (wire.length >= 12) {
                    int count = 4 + 2 * (value % 4);
                    wire[count] = (byte) (value * 7);
                    wire[count + 1] = (byte) value;
                }
            }
            case 3 -> { // a compression pointer to itself: a loop
                if (wire.length >= 14) {
                    int pointer = Math.max(12, at - 1);
                    pointer = Math.min(pointer, wire.length - 2);
                    wire[pointer] = (byte) (0xC0 | pointer >> 8);
                    wire[pointer + 1] = (byte) pointer;
                }
            }
            case 4 -> wire = withLongName(wire, value); // a question name past 255 bytes
            case 5 -> { // a record length that lies
                if (wire.length >= 2) {
                    wire[wire.length - 2 - at % Math.max(1, wire.length - 2)] = (byte) 0xFF;
                }
            }
            case 6 -> { // garbage appended after the records
                byte[] longer = java.util.Arrays.copyOf(wire, wire.length + value % 64);
                for (int i = wire.length; i < longer.length; i++) {
                    longer[i] = (byte) (i * 31 + value);
                }
                wire = longer;
            }
            default -> wire[at] = (byte) value; // a byte replaced
        }
        return wire;
    }

    private static byte[] withLongName(byte[] wire, int value) {
        if (wire.length < 12) {
            return wire;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(wire, 0, 12);
        for (int label = 0; label < 5 + value % 5; label++) {
            out.write(63);
            for (int i = 0; i < 63; i++) {
                out.write('a' + (i + label) % 26);
            }
        }
        out.write(0);
        out.write(0);
        out.write(1);
        out.write(0);
        out.write(1);
        return out.toByteArray();
    }

    @Provide
    Arbitrary<byte[]> dnstapFrames() {
        Arbitrary<Message> messages = Combinators.combine(
                Arbitraries.of(Message.Type.values()),
                optional(Arbitraries.of(SocketFamily.values())),
                optional(Arbitraries.of(SocketProtocol.values())),
                optional(Arbitraries.bytes().array(byte[].class).ofMaxSize(20)),
                optional(Arbitraries.integers()),
                optional(extremeLongs()),
                optional(Arbitraries.integers()),
                optional(dnsMessages()))
                .as((type, family, protocol, address, port, seconds, nanos, wire) -> {
                    Message.Builder message = Message.newBuilder().setType(type);
                    family.ifPresent(message::setSocketFamily);
                    protocol.ifPresent(message::setSocketProtocol);
                    address.ifPresent(bytes -> message.setQueryAddress(ByteString.copyFrom(bytes))
                            .setResponseAddress(ByteString.copyFrom(bytes)));
                    port.ifPresent(p -> message.setQueryPort(p).setResponsePort(p));
                    seconds.ifPresent(s -> message.setQueryTimeSec(s).setResponseTimeSec(s ^ 0x55L));
                    nanos.ifPresent(n -> message.setQueryTimeNsec(n).setResponseTimeNsec(~n));
                    wire.ifPresent(bytes -> message.setQueryMessage(ByteString.copyFrom(bytes))
                            .setResponseMessage(ByteString.copyFrom(bytes)));
                    return message.build();
                });
        Arbitrary<Message> withExtras = Combinators.combine(messages,
                optional(Arbitraries.bytes().array(byte[].class).ofMaxSize(40)),
                optional(policies()),
                optional(Arbitraries.of(HttpProtocol.values())))
                .as((message, zone, policy, http) -> {
                    Message.Builder more = message.toBuilder();
                    zone.ifPresent(bytes -> more.setQueryZone(ByteString.copyFrom(bytes)));
                    policy.ifPresent(more::setPolicy);
                    http.ifPresent(more::setHttpProtocol);
                    return more.build();
                });
        return Combinators.combine(withExtras,
                optional(Arbitraries.bytes().array(byte[].class).ofMaxSize(300)),
                optional(Arbitraries.bytes().array(byte[].class).ofMaxSize(40)),
                optional(Arbitraries.bytes().array(byte[].class).ofMaxSize(80)),
                Arbitraries.integers().between(16, 200),
                Arbitraries.longs())
                .as((message, identity, version, extra, unknownField, unknownValue) -> {
                    Dnstap.Builder dnstap = Dnstap.newBuilder().setType(Dnstap.Type.MESSAGE).setMessage(message);
                    identity.ifPresent(bytes -> dnstap.setIdentity(ByteString.copyFrom(bytes)));
                    version.ifPresent(bytes -> dnstap.setVersion(ByteString.copyFrom(bytes)));
                    extra.ifPresent(bytes -> dnstap.setExtra(ByteString.copyFrom(bytes)));
                    return withUnknownField(dnstap.build().toByteArray(), unknownField, unknownValue);
                });
    }

    private static Arbitrary<Long> extremeLongs() {
        return Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.of(0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE,
                4_102_444_799L, 4_102_444_800L, 1_795_964_864L));
    }

    private static Arbitrary<byte[]> dnsMessages() {
        return Arbitraries.oneOf(Arbitraries.of(CAPTURED_MESSAGES), new HostileInputProperties().mutatedMessages(),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(100));
    }

    private static Arbitrary<Policy> policies() {
        return Combinators.combine(optional(Arbitraries.strings().ofMaxLength(20)),
                optional(Arbitraries.bytes().array(byte[].class).ofMaxSize(30)),
                optional(Arbitraries.of(Policy.Action.values())),
                optional(Arbitraries.of(Policy.Match.values())),
                optional(Arbitraries.bytes().array(byte[].class).ofMaxSize(20)))
                .as((type, rule, action, match, value) -> {
                    Policy.Builder policy = Policy.newBuilder();
                    type.ifPresent(policy::setType);
                    rule.ifPresent(bytes -> policy.setRule(ByteString.copyFrom(bytes)));
                    action.ifPresent(policy::setAction);
                    match.ifPresent(policy::setMatch);
                    value.ifPresent(bytes -> policy.setValue(ByteString.copyFrom(bytes)));
                    return policy.build();
                });
    }

    private static <T> Arbitrary<java.util.Optional<T>> optional(Arbitrary<T> values) {
        return values.optional(0.7);
    }

    /** A field this build does not know (a newer dnstap.proto's), as protobuf keeps them: bytes to skip. */
    private static byte[] withUnknownField(byte[] message, int field, long value) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(message);
            CodedOutputStream coded = CodedOutputStream.newInstance(out);
            coded.writeUInt64(field, value);
            coded.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<byte[]> capturedMessages() {
        try {
            List<byte[]> messages = new ArrayList<>();
            for (byte[] frame : FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL),
                    DnstapEvents.DNSTAP_CONTENT_TYPE)) {
                Message message = Dnstap.parseFrom(frame).getMessage();
                messages.add((message.hasResponseMessage() ? message.getResponseMessage() : message.getQueryMessage())
                        .toByteArray());
            }
            return messages;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
