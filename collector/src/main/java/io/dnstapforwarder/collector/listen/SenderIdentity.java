package io.dnstapforwarder.collector.listen;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.dnstapforwarder.dnstap.Dnstap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * The names a TLS client certificate vouches for (its subject's common names and its DNS subject
 * alternative names), and the check that a frame's dnstap {@code identity}, which the shipper
 * makes Splunk's {@code host}, is one of them: so a sender with a valid certificate still cannot
 * speak for another DNS server.
 *
 * <p>The collector otherwise never decodes dnstap; this reads only the top-level fields' tags up
 * to the identity (Unbound, BIND and Knot write it first), without building the message.
 */
public final class SenderIdentity {

    private final Set<String> names;
    private final Set<ByteString> encodedNames;

    private SenderIdentity(Set<String> names) {
        this.names = names;
        this.encodedNames = names.stream().map(name -> ByteString.copyFrom(name, StandardCharsets.UTF_8))
                .collect(Collectors.toUnmodifiableSet());
    }

    /** The names of the certificate: every CN of its subject, and its DNS subject alternative names. */
    public static SenderIdentity of(X509Certificate certificate) throws IOException {
        Set<String> names = new TreeSet<>();
        try {
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    names.add(rdn.getValue().toString());
                }
            }
            Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> alternative : alternatives) {
                    if (Integer.valueOf(2).equals(alternative.get(0))) { // dNSName
                        names.add(alternative.get(1).toString());
                    }
                }
            }
        } catch (InvalidNameException | CertificateParsingException e) {
            throw new IOException("could not read the names of the client certificate: " + e.getMessage(), e);
        }
        return new SenderIdentity(Set.copyOf(names));
    }

    static SenderIdentity of(Set<String> names) {
        return new SenderIdentity(Set.copyOf(names));
    }

    public Set<String> names() {
        return names;
    }

    /**
     * Why the frame (between position and limit; not moved) may not be published under this
     * certificate, or {@code null} when its identity is one of the names.
     */
    public String mismatch(ByteBuffer frame) {
        ByteString identity;
        try {
            identity = identityOf(frame);
        } catch (IOException e) {
            return "the frame is not a dnstap message, so its identity cannot be checked";
        }
        if (identity == null) {
            return "the frame has no dnstap identity; the certificate names " + new TreeSet<>(names);
        }
        if (encodedNames.contains(identity)) {
            return null;
        }
        return "the frame's dnstap identity \"" + identity.toStringUtf8() + "\" is not a name of the certificate "
                + new TreeSet<>(names);
    }

    /** The identity field of a serialized dnstap message, or {@code null} when it has none. */
    static ByteString identityOf(ByteBuffer frame) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(frame.duplicate());
        int tag;
        while ((tag = in.readTag()) != 0) {
            if (WireFormat.getTagFieldNumber(tag) == Dnstap.IDENTITY_FIELD_NUMBER
                    && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                return in.readBytes();
            }
            in.skipField(tag);
        }
        return null;
    }
}
