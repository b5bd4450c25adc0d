package io.dnstapforwarder.collector.listen;

import com.google.protobuf.ByteString;
import io.dnstapforwarder.event.DnstapIdentities;
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
 * <p>The collector otherwise never decodes dnstap; this reads only the top-level fields' tags
 * ({@link DnstapIdentities}), without building the message. A frame may repeat the field; a
 * protobuf parser keeps the last one, but here <em>every</em> identity field must be a name of the
 * certificate, so no reader of the frame, whichever occurrence it takes, can be told another
 * server's name.
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
        List<ByteString> identities;
        try {
            identities = DnstapIdentities.all(frame);
        } catch (IOException e) {
            return "the frame is not a dnstap message, so its identity cannot be checked";
        }
        if (identities.isEmpty()) {
            return "the frame has no dnstap identity; the certificate names " + new TreeSet<>(names);
        }
        for (ByteString identity : identities) {
            if (!encodedNames.contains(identity)) {
                return "the frame's dnstap identity \"" + identity.toStringUtf8() + "\" is not a name of the certificate "
                        + new TreeSet<>(names);
            }
        }
        return null;
    }
}
