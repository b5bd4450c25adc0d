package io.dnstapforwarder.testkit;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small PKI for TLS tests, written as PEM files into a directory: a CA; a server certificate
 * for {@code collector.test} and 127.0.0.1; a client certificate the CA signed; and a client
 * certificate of another CA, which the collector must not trust. Keys are EC P-256 in PKCS#8
 * layout, but the stranger's, which is RSA in PKCS#1 layout ("RSA PRIVATE KEY").
 */
public final class TestCertificates {

    public static final String SERVER_NAME = "collector.test";
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final Path dir;
    private final X509Certificate caCertificate;
    private final KeyPair caKeys;

    private TestCertificates(Path dir, X509Certificate caCertificate, KeyPair caKeys) {
        this.dir = dir;
        this.caCertificate = caCertificate;
        this.caKeys = caKeys;
    }

    public static TestCertificates create(Path dir) throws IOException {
        try {
            KeyPair ca = keyPair();
            X509Certificate caCertificate = sign(new X500Name("CN=dnstap-forwarder test CA"), ca, null, ca, Kind.CA);
            write(dir.resolve("ca.pem"), caCertificate);
            KeyPair server = keyPair();
            write(dir.resolve("server.pem"), sign(new X500Name("CN=" + SERVER_NAME), server, caCertificate, ca, Kind.SERVER));
            write(dir.resolve("server-key.pem"), new JcaPKCS8Generator(server.getPrivate(), null));
            KeyPair client = keyPair();
            write(dir.resolve("client.pem"), sign(new X500Name("CN=resolver-1"), client, caCertificate, ca, Kind.CLIENT));
            write(dir.resolve("client-key.pem"), new JcaPKCS8Generator(client.getPrivate(), null));
            KeyPair otherCa = keyPair();
            X509Certificate otherCaCertificate = sign(new X500Name("CN=some other CA"), otherCa, null, otherCa, Kind.CA);
            KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
            rsa.initialize(2048);
            KeyPair stranger = rsa.generateKeyPair();
            write(dir.resolve("stranger.pem"), sign(new X500Name("CN=stranger"), stranger, otherCaCertificate, otherCa,
                    Kind.CLIENT));
            write(dir.resolve("stranger-key.pem"), stranger);
            return new TestCertificates(dir, caCertificate, ca);
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IOException("could not make test certificates", e);
        }
    }

    public Path ca() {
        return dir.resolve("ca.pem");
    }

    public Path serverCertificate() {
        return dir.resolve("server.pem");
    }

    public Path serverKey() {
        return dir.resolve("server-key.pem");
    }

    public Path clientCertificate() {
        return dir.resolve("client.pem");
    }

    public Path clientKey() {
        return dir.resolve("client-key.pem");
    }

    /**
     * A client certificate of the trusted CA with subject {@code subject} and these DNS subject
     * alternative names: {@code [certificate, key]}.
     */
    public Path[] client(String subject, String... dnsNames) throws IOException {
        try {
            KeyPair keys = keyPair();
            String file = "client-" + SERIAL.incrementAndGet();
            Path certificate = dir.resolve(file + ".pem");
            Path key = dir.resolve(file + "-key.pem");
            write(certificate, sign(new X500Name(subject), keys, caCertificate, caKeys, Kind.CLIENT, dnsNames));
            write(key, new JcaPKCS8Generator(keys.getPrivate(), null));
            return new Path[] {certificate, key};
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IOException("could not make a client certificate", e);
        }
    }

    /** A client certificate from a CA the collector does not trust. */
    public Path strangerCertificate() {
        return dir.resolve("stranger.pem");
    }

    public Path strangerKey() {
        return dir.resolve("stranger-key.pem");
    }

    private enum Kind { CA, SERVER, CLIENT }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X509Certificate issuer, KeyPair issuerKeys,
            Kind kind, String... dnsNames) throws GeneralSecurityException, IOException, org.bouncycastle.operator.OperatorCreationException {
        Instant now = Instant.now();
        X500Name issuerName = issuer == null ? subject : X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName,
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(2))), subject, subjectKeys.getPublic());
        switch (kind) {
            case CA -> {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            }
            case SERVER -> {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, SERVER_NAME), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            }
            case CLIENT -> {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
                if (dnsNames.length > 0) {
                    GeneralName[] names = new GeneralName[dnsNames.length];
                    for (int i = 0; i < dnsNames.length; i++) {
                        names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
                    }
                    builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
                }
            }
        }
        String algorithm = issuerKeys.getPrivate().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder(algorithm).build(issuerKeys.getPrivate())));
    }

    private static void write(Path file, Object pem) throws IOException {
        try (Writer out = Files.newBufferedWriter(file); JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(pem);
        }
    }
}
