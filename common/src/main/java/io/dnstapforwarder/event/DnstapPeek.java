package io.dnstapforwarder.event;

import io.dnstapforwarder.dnstap.Message;

/**
 * Reads from a Kafka record's bytes (a {@code DnstapEvent} envelope around a dnstap frame) only
 * what shaping and pairing decide on, without building anything: the dnstap message type, the
 * identity, the addresses and ports, and from the DNS message its id, its question and its reply
 * code. It runs for every record (the collector's partition key, the shipper's shaping and
 * transactions), so a record costs a walk over a few dozen bytes and no allocation.
 *
 * <p>Every read is bounds-checked: a record this cannot read (not an envelope, a truncated field)
 * is reported as unreadable and goes on to the renderer, which keeps it whole or dead-letters it.
 * One instance per thread; {@link #read} resets it.
 */
public final class DnstapPeek {

    private static final int ENVELOPE_FRAME = 1;
    private static final int DNSTAP_IDENTITY = 1;
    private static final int DNSTAP_MESSAGE = 14;
    private static final int MESSAGE_TYPE = 1;
    private static final int MESSAGE_QUERY_ADDRESS = 4;
    private static final int MESSAGE_RESPONSE_ADDRESS = 5;
    private static final int MESSAGE_QUERY_PORT = 6;
    private static final int MESSAGE_RESPONSE_PORT = 7;
    private static final int MESSAGE_QUERY_MESSAGE = 10;
    private static final int MESSAGE_RESPONSE_MESSAGE = 14;
    private static final int DNS_HEADER = 12;

    private byte[] bytes;
    private final ProtobufWire wire = new ProtobufWire();
    private boolean frameRead;
    private boolean readable;
    private int messageType;
    private int identityStart;
    private int identityLength;
    private int clientStart;
    private int clientLength;
    private int serverStart;
    private int serverLength;
    private int clientPort;
    private int serverPort;
    private int queryStart;
    private int queryLength;
    private int responseStart;
    private int responseLength;
    private int dnsStart;
    private int dnsEnd;
    private int qnameStart;
    private int qnameEnd;
    private int qtype;
    private int qclass;
    private int dnsId;
    private int rcode;

    /** Reads {@code record}; false when it is not a readable dnstap message (then nothing else is set). */
    public boolean read(byte[] record) {
        bytes = record;
        wire.on(record);
        frameRead = false;
        messageType = 0;
        identityLength = -1;
        clientLength = -1;
        serverLength = -1;
        clientPort = -1;
        serverPort = -1;
        queryLength = -1;
        responseLength = -1;
        qnameStart = -1;
        qtype = -1;
        qclass = -1;
        dnsId = -1;
        rcode = -1;
        readable = readFields(Level.ENVELOPE, 0, record.length) && messageType != 0;
        if (readable) {
            readDnsMessage();
        }
        return readable;
    }

    /** What the last {@link #read} said. */
    public boolean readable() {
        return readable;
    }

    /** The dnstap message type number (CLIENT_QUERY 5, ...); 0 when unreadable. */
    public int messageType() {
        return readable ? messageType : 0;
    }

    /** Odd dnstap types are queries, even ones responses. */
    public boolean isQuery() {
        return (messageType & 1) == 1;
    }

    public byte[] bytes() {
        return bytes;
    }

    /** Where the identity is in {@link #bytes()}, or -1 when there is none. */
    public int identityStart() {
        return identityLength < 0 ? -1 : identityStart;
    }

    public int identityLength() {
        return identityLength;
    }

    /** Where the client (query) address is, 4 or 16 bytes, or -1. */
    public int clientStart() {
        return clientLength == 4 || clientLength == 16 ? clientStart : -1;
    }

    public int clientLength() {
        return clientLength;
    }

    /** Where the server (response) address is, 4 or 16 bytes, or -1. */
    public int serverStart() {
        return serverLength == 4 || serverLength == 16 ? serverStart : -1;
    }

    public int serverLength() {
        return serverLength;
    }

    /** The client's (query) port, or -1 when the message has none. */
    public int clientPort() {
        return clientPort;
    }

    /** The server's (response) port, or -1 when the message has none. */
    public int serverPort() {
        return serverPort;
    }

    /** The DNS message's id, or -1 when there is no DNS message of at least a header. */
    public int dnsId() {
        return dnsId;
    }

    /** Where the question name's wire form starts, or -1 when the DNS message has no readable question. */
    public int qnameStart() {
        return qnameStart;
    }

    /** One past the question name's root label. */
    public int qnameEnd() {
        return qnameEnd;
    }

    /** The question type, or -1. */
    public int qtype() {
        return qtype;
    }

    /** The question class, or -1. */
    public int qclass() {
        return qclass;
    }

    /** The reply code of a response's header (the low 4 bits; EDNS extends it), or -1 for queries and unreadable ones. */
    public int rcode() {
        return rcode;
    }

    /** Where a field is read: the envelope, the dnstap message in its frame, or the dnstap {@code Message}. */
    private enum Level { ENVELOPE, DNSTAP, MESSAGE }

    /** Reads the fields of {@code level} in {@code [from, to)}; false when they are not well-formed. */
    private boolean readFields(Level level, int from, int to) {
        wire.at(from);
        while (wire.position() < to) {
            long tag = wire.varint(to);
            if (tag < 0) {
                return false;
            }
            int field = (int) (tag >>> 3);
            int wireType = (int) (tag & 7);
            if (level == Level.MESSAGE && field == MESSAGE_TYPE && wireType == ProtobufWire.VARINT) {
                long type = wire.varint(to);
                if (type < 0) {
                    return false;
                }
                if (type <= Integer.MAX_VALUE && Message.Type.forNumber((int) type) != null) {
                    // As protobuf does: a value the enum does not know leaves the field as it was.
                    messageType = (int) type;
                }
            } else if (level == Level.MESSAGE && (field == MESSAGE_QUERY_PORT || field == MESSAGE_RESPONSE_PORT)
                    && wireType == ProtobufWire.VARINT) {
                long port = wire.varint(to);
                if (port < 0) {
                    return false;
                }
                int kept = (int) (port & 0xFFFF_FFFFL); // a uint32, as protobuf reads it
                if (field == MESSAGE_QUERY_PORT) {
                    clientPort = kept;
                } else {
                    serverPort = kept;
                }
            } else if (wireType == ProtobufWire.LENGTH_DELIMITED) {
                int length = wire.length(to);
                if (length < 0) {
                    return false;
                }
                int start = wire.position();
                if (!take(level, field, start, length)) {
                    return false;
                }
                if (frameRead && level == Level.ENVELOPE) {
                    return true;
                }
                wire.at(start + length);
            } else if (!wire.skip(tag, to)) {
                return false;
            }
        }
        return true;
    }

    /** Keeps where a length-delimited field of interest is, or reads into it; false when it is not well-formed. */
    private boolean take(Level level, int field, int start, int length) {
        switch (level) {
            case ENVELOPE -> {
                if (field != ENVELOPE_FRAME) {
                    return true;
                }
                frameRead = true; // what follows it in the envelope is the collector's, of no use here
                return readFields(Level.DNSTAP, start, start + length);
            }
            case DNSTAP -> {
                if (field == DNSTAP_IDENTITY) {
                    identityStart = start;
                    identityLength = length;
                } else if (field == DNSTAP_MESSAGE) {
                    return readFields(Level.MESSAGE, start, start + length);
                }
                return true;
            }
            default -> {
                if (field == MESSAGE_QUERY_ADDRESS) {
                    clientStart = start;
                    clientLength = length;
                } else if (field == MESSAGE_RESPONSE_ADDRESS) {
                    serverStart = start;
                    serverLength = length;
                } else if (field == MESSAGE_QUERY_MESSAGE) {
                    queryStart = start;
                    queryLength = length;
                } else if (field == MESSAGE_RESPONSE_MESSAGE) {
                    responseStart = start;
                    responseLength = length;
                }
                return true;
            }
        }
    }

    /** The message the event is about, as the renderer picks it: a response's response, a query's query. */
    private void readDnsMessage() {
        boolean response = !isQuery();
        boolean useResponse = response ? responseLength >= 0 : queryLength < 0 && responseLength >= 0;
        int start = useResponse ? responseStart : queryStart;
        int length = useResponse ? responseLength : queryLength;
        if (length < DNS_HEADER) {
            return;
        }
        dnsStart = start;
        dnsEnd = start + length;
        dnsId = ((bytes[dnsStart] & 0xFF) << 8) | (bytes[dnsStart + 1] & 0xFF);
        if (response) {
            rcode = bytes[dnsStart + 3] & 0x0F;
        }
        int questions = ((bytes[dnsStart + 4] & 0xFF) << 8) | (bytes[dnsStart + 5] & 0xFF);
        if (questions == 0) {
            return;
        }
        int at = dnsStart + DNS_HEADER;
        int nameLength = 0;
        while (at < dnsEnd) {
            int label = bytes[at] & 0xFF;
            if (label == 0) {
                break;
            }
            if (label > 63) { // a compression pointer (or a reserved type): the question's name never needs one
                return;
            }
            nameLength += label + 1;
            if (nameLength > 254) {
                return;
            }
            at += label + 1;
        }
        if (at + 2 >= dnsEnd) { // the root label and the two bytes of the type must be there
            return;
        }
        qnameStart = dnsStart + DNS_HEADER;
        qnameEnd = at + 1;
        qtype = ((bytes[at + 1] & 0xFF) << 8) | (bytes[at + 2] & 0xFF);
        if (at + 4 < dnsEnd) {
            qclass = ((bytes[at + 3] & 0xFF) << 8) | (bytes[at + 4] & 0xFF);
        }
    }
}
