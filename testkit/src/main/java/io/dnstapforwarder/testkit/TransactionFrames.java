package io.dnstapforwarder.testkit;

import com.google.protobuf.ByteString;
import io.dnstapforwarder.dnstap.Dnstap;
import io.dnstapforwarder.dnstap.Message;
import io.dnstapforwarder.dnstap.SocketFamily;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.DnstapEvents;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Halves of DNS transactions made to order, as Kafka record values (envelopes around dnstap
 * frames): a query or a response of any dnstap type, from 192.0.2.7 to 192.0.2.53:53, with the
 * identity, client port, DNS id and question a test needs to pair or tell apart.
 */
public final class TransactionFrames {

    private TransactionFrames() {
    }

    /**
     * The envelope of one half; a query carries {@code query_message}, a response
     * {@code response_message} (an A-style answer section is left out: pairing never reads it).
     */
    public static byte[] half(Message.Type type, String identity, int clientPort, int id, String name, int qtype) {
        boolean query = type.getNumber() % 2 == 1;
        ByteString dns = ByteString.copyFrom(dnsMessage(id, name, qtype, !query));
        Message.Builder message = Message.newBuilder().setType(type).setSocketFamily(SocketFamily.INET)
                .setQueryAddress(ByteString.copyFrom(new byte[] {(byte) 192, 0, 2, 7}))
                .setResponseAddress(ByteString.copyFrom(new byte[] {(byte) 192, 0, 2, 53}))
                .setQueryPort(clientPort).setResponsePort(53);
        if (query) {
            message.setQueryMessage(dns);
        } else {
            message.setResponseMessage(dns);
        }
        return envelope(Dnstap.newBuilder().setType(Dnstap.Type.MESSAGE).setIdentity(ByteString.copyFromUtf8(identity))
                .setMessage(message).build().toByteArray());
    }

    /** A DNS message of one question, {@code name} in class IN, with no records. */
    public static byte[] dnsMessage(int id, String name, int qtype, boolean response) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(id >>> 8);
        out.write(id);
        out.write(response ? 0x81 : 0x01);
        out.write(response ? 0x80 : 0x00);
        out.writeBytes(new byte[] {0, 1, 0, 0, 0, 0, 0, 0});
        for (String label : name.split("\\.")) {
            out.write(label.length());
            out.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
        }
        out.write(0);
        out.writeBytes(new byte[] {(byte) (qtype >>> 8), (byte) qtype, 0, 1});
        return out.toByteArray();
    }

    /**
     * The envelope of a CLIENT_RESPONSE to {@code client} (4 or 16 bytes) for {@code www.example.com}
     * whose answers are an A or AAAA record of each of {@code answers}.
     */
    public static byte[] responseWithAddresses(byte[] client, byte[]... answers) {
        ByteArrayOutputStream dns = new ByteArrayOutputStream();
        byte[] question = dnsMessage(1, "www.example.com", 1, true);
        question[7] = (byte) answers.length; // ANCOUNT
        dns.writeBytes(question);
        for (byte[] address : answers) {
            int type = address.length == 4 ? 1 : 28;
            dns.writeBytes(new byte[] {(byte) 0xC0, 12, 0, (byte) type, 0, 1, 0, 0, 0, 60, 0, (byte) address.length});
            dns.writeBytes(address);
        }
        Message message = Message.newBuilder().setType(Message.Type.CLIENT_RESPONSE)
                .setSocketFamily(client.length == 4 ? SocketFamily.INET : SocketFamily.INET6)
                .setQueryAddress(ByteString.copyFrom(client)).setQueryPort(53000).setResponsePort(53)
                .setResponseTimeSec(1_795_964_864L).setResponseTimeNsec(0)
                .setResponseMessage(ByteString.copyFrom(dns.toByteArray())).build();
        return envelope(Dnstap.newBuilder().setType(Dnstap.Type.MESSAGE).setIdentity(ByteString.copyFromUtf8("ns1"))
                .setMessage(message).build().toByteArray());
    }

    /** A frame in the collector's envelope. */
    public static byte[] envelope(byte[] frame) {
        return DnstapEvent.newBuilder().setFrame(ByteString.copyFrom(frame)).setContentType(DnstapEvents.DNSTAP_CONTENT_TYPE)
                .setCollectorId("c").setConnectionId(1).setReceivedAtNs(1).build().toByteArray();
    }
}
