package io.dnstapforwarder.shipper.render.dns;

import io.dnstapforwarder.net.IpAddresses;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;

/**
 * Record data in presentation format. The types that fill most responses (the SOA of every
 * negative answer, A, the single-name types) are written into a caller's buffer with the same text
 * as dnsjava's {@code rdataToString()}, which builds several strings per record; AAAA is in RFC
 * 5952 form as dig prints it (dnsjava's differs); every other type is dnsjava's text.
 */
public final class Rdata {

    /** Longest text of the types written here: SOA's two names and five 32-bit numbers. */
    public static final int MAX_CHARS = 2 * (DnsNames.MAX_CHARS + 2) + 5 * 11;

    private Rdata() {
    }

    /**
     * Writes the data of a record of a common type into {@code out}, at least {@link #MAX_CHARS}
     * long, and returns its length; returns -1 for the other types, whose text {@link #text} gives.
     */
    static int write(Record record, char[] out) {
        if (record instanceof ARecord a) {
            byte[] address = a.getAddress().getAddress();
            return IpAddresses.writeIpv4(address[0], address[1], address[2], address[3], out);
        }
        if (record instanceof SOARecord soa) {
            int at = DnsNames.writeAbsolute(soa.getHost(), out, 0);
            out[at++] = ' ';
            at = DnsNames.writeAbsolute(soa.getAdmin(), out, at);
            at = writeNumber(soa.getSerial(), out, at);
            at = writeNumber(soa.getRefresh(), out, at);
            at = writeNumber(soa.getRetry(), out, at);
            at = writeNumber(soa.getExpire(), out, at);
            return writeNumber(soa.getMinimum(), out, at);
        }
        Name target = record instanceof NSRecord ns ? ns.getTarget()
                : record instanceof CNAMERecord cname ? cname.getTarget()
                : record instanceof PTRRecord ptr ? ptr.getTarget() : null;
        return target != null ? DnsNames.writeAbsolute(target, out, 0) : -1;
    }

    /** The record's data as text, for any type. */
    static String text(Record record) {
        if (record instanceof AAAARecord aaaa) {
            return IpAddresses.format(aaaa.getAddress().getAddress());
        }
        char[] buffer = new char[MAX_CHARS];
        int length = write(record, buffer);
        return length >= 0 ? new String(buffer, 0, length) : record.rdataToString();
    }

    /** A space, then the number. */
    private static int writeNumber(long value, char[] out, int at) {
        out[at] = ' ';
        return Decimal.write(value, out, at + 1);
    }
}
