package io.dnstapforwarder.event;

import java.util.Arrays;

/**
 * What makes a dnstap query and its response one DNS transaction: the server's identity, the
 * message family (CLIENT_QUERY and CLIENT_RESPONSE are both CLIENT, and so on: {@link #family}), the client's and
 * the server's address and port, the DNS id, and the question (its name compared as DNS compares
 * names, ASCII letters without regard to case; its type; its class). Both halves of a transaction
 * have equal keys; a response to another question with the same id has another key.
 *
 * <p>The collector can put {@link #partitionKey} on each Kafka record, so that Kafka's partitioner
 * sends both halves to one partition; the shipper compares the keys themselves, never only the
 * hash. Read with {@link DnstapPeek}: nothing of the DNS message is decoded past its question.
 */
public final class TransactionKey {


    private final byte[] bytes;
    private final long hash;

    private TransactionKey(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Hash64.of(bytes);
    }

    /**
     * The family of a dnstap message type: RESOLVER 2 (types 3 and 4), CLIENT 3, FORWARDER 4,
     * STUB 5, TOOL 6, UPDATE 7 (types 13 and 14); 0 for anything else. AUTH (types 1 and 2) is
     * CLIENT's family: both are queries the server received and its answers to them, and BIND
     * (9.18, recursion off) logs a query it answers with recursion desired as AUTH_QUERY and the
     * answer as CLIENT_RESPONSE.
     */
    public static int family(int messageType) {
        if (messageType == 1 || messageType == 2) {
            return 3;
        }
        return messageType >= 3 && messageType <= 14 ? (messageType + 1) / 2 : 0;
    }

    /**
     * The key of the message {@code peek} read last, or null when it has none: not a readable
     * dnstap message, a type outside the query/response pairs, or no DNS message to take an id from.
     */
    public static TransactionKey of(DnstapPeek peek) {
        byte[] bytes = keyBytes(peek);
        return bytes == null ? null : new TransactionKey(bytes);
    }

    /**
     * The Kafka record key: 8 bytes, equal for both halves of a transaction, that spread evenly
     * over partitions.
     */
    public byte[] partitionKey() {
        byte[] key = new byte[Long.BYTES];
        for (int i = 0; i < Long.BYTES; i++) {
            key[i] = (byte) (hash >>> (56 - 8 * i));
        }
        return key;
    }

    /** Bytes held for the key: what a waiting half costs beyond its record. */
    public int size() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TransactionKey key && key.hash == hash && Arrays.equals(key.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(hash);
    }

    private static byte[] keyBytes(DnstapPeek peek) {
        int family = family(peek.messageType());
        if (family == 0 || peek.dnsId() < 0) {
            return null;
        }
        byte[] record = peek.bytes();
        int identity = Math.max(0, peek.identityLength());
        int client = peek.clientStart() < 0 ? 0 : peek.clientLength();
        int server = peek.serverStart() < 0 ? 0 : peek.serverLength();
        int qname = peek.qnameStart() < 0 ? 0 : peek.qnameEnd() - peek.qnameStart();
        byte[] key = new byte[1 + 4 + identity + 1 + client + 1 + server + 4 + 4 + 2 + 1 + qname + 4 + 4];
        int at = 0;
        key[at++] = (byte) family;
        at = putInt(key, at, identity);
        if (identity > 0) {
            System.arraycopy(record, peek.identityStart(), key, at, identity);
            at += identity;
        }
        key[at++] = (byte) client;
        if (client > 0) {
            System.arraycopy(record, peek.clientStart(), key, at, client);
            at += client;
        }
        key[at++] = (byte) server;
        if (server > 0) {
            System.arraycopy(record, peek.serverStart(), key, at, server);
            at += server;
        }
        at = putInt(key, at, peek.clientPort());
        at = putInt(key, at, peek.serverPort());
        key[at++] = (byte) (peek.dnsId() >>> 8);
        key[at++] = (byte) peek.dnsId();
        key[at++] = (byte) qname;
        for (int i = 0; i < qname; i++) {
            byte b = record[peek.qnameStart() + i];
            // Label length bytes are at most 63, below 'A': folding letters cannot touch them.
            key[at++] = b >= 'A' && b <= 'Z' ? (byte) (b + ('a' - 'A')) : b;
        }
        at = putInt(key, at, peek.qtype());
        putInt(key, at, peek.qclass());
        return key;
    }

    private static int putInt(byte[] key, int at, int value) {
        key[at] = (byte) (value >>> 24);
        key[at + 1] = (byte) (value >>> 16);
        key[at + 2] = (byte) (value >>> 8);
        key[at + 3] = (byte) value;
        return at + 4;
    }
}
