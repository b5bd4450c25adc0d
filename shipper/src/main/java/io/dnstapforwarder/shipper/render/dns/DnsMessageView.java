package io.dnstapforwarder.shipper.render.dns;

/**
 * What the renderer reads of a decoded DNS message. Two kinds of message provide it:
 * {@link WireMessage}, read straight from the wire for the record types that fill nearly all DNS
 * traffic, and {@link DnsjavaMessage}, dnsjava's decode, for everything else. One writer for both
 * keeps a single definition of the event's fields.
 *
 * <p>Sections are numbered as on the wire and in dnsjava's {@code Section}; records are addressed
 * by section and index within it.
 */
public interface DnsMessageView {

    int QUESTION = 0;
    int ANSWER = 1;
    int AUTHORITY = 2;
    int ADDITIONAL = 3;

    /** The OPT pseudo-record's type: it is shown as {@code edns}, not as a record. */
    int OPT = 41;

    int id();

    int opcode();

    /** A header flag by dnsjava's bit number ({@code Flags.QR} is 0, counted from the left). */
    boolean flag(int bit);

    /** The header's count of records in the section, as sent. */
    int headerCount(int section);

    /** The response code, with the extended bits of the OPT record. */
    int rcode();

    /** The records decoded in the section. */
    int records(int section);

    int type(int section, int index);

    int dclass(int section, int index);

    long ttl(int section, int index);

    /** Writes the owner name as {@link DnsNames} presents it into {@code out}; returns its length. */
    int writeName(int section, int index, char[] out);

    /**
     * Writes the record data in presentation format into {@code out}, at least
     * {@link Rdata#MAX_CHARS} long; returns its length, or -1 when only {@link #rdataText} has it.
     */
    int writeRdata(int section, int index, char[] out);

    String rdataText(int section, int index);

    /** The address of an A (4 bytes) or AAAA (16 bytes) record; null for any other record. */
    byte[] address(int section, int index);

    /** Whether the additional section has an OPT record; the EDNS getters below read the first. */
    boolean hasEdns();

    int ednsVersion();

    int udpPayloadSize();

    boolean dnssecOk();

    int ednsOptions();

    int optionCode(int option);

    /** The option's data, without its code and length. */
    byte[] optionData(int option);

    /** The last EDNS Client Subnet option as {@code address/source-prefix}, or null. */
    String clientSubnet();
}
