package io.dnstapforwarder.shipper.render;

import org.xbill.DNS.Name;

/**
 * Domain names in presentation format, as dig prints them but without the trailing dot (the root
 * stays {@code .}): case as sent; bytes outside printable ASCII as {@code \DDD}; {@code .} and the
 * other special characters inside a label backslash-escaped.
 */
public final class DnsNames {

    private DnsNames() {
    }

    public static String present(Name name) {
        if (name.equals(Name.root)) {
            return ".";
        }
        return name.toString(true);
    }

    /** A wire-format name (e.g. dnstap's query_zone) in presentation format. */
    public static String present(byte[] wire) throws java.io.IOException {
        return present(new Name(wire));
    }
}
