package io.dnstapforwarder.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/** {@link SSLContext}s from PEM files. */
public final class TlsContexts {

    private static final char[] NO_PASSWORD = new char[0];

    private TlsContexts() {
    }

    /**
     * A server context: our certificate chain and key; when {@code clientCa} is given, clients
     * must present a certificate that it signed.
     */
    public static SSLContext server(Path certificate, Path key, Path clientCa) throws IOException {
        return context(keyManagers(certificate, key), clientCa == null ? null : trustManagers(clientCa));
    }

    /** A client context that trusts the CAs in {@code caFile} (and only those). */
    public static SSLContext client(Path caFile) throws IOException {
        return client(caFile, null, null);
    }

    /** A client context that trusts {@code caFile} and, when given, presents a client certificate (mutual TLS). */
    public static SSLContext client(Path caFile, Path certificate, Path key) throws IOException {
        return context(certificate == null ? null : keyManagers(certificate, key), trustManagers(caFile));
    }

    private static SSLContext context(KeyManager[] keys, TrustManager[] trust) throws IOException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    private static KeyManager[] keyManagers(Path certificate, Path key) throws IOException {
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("key", PemFiles.privateKey(key), NO_PASSWORD,
                    PemFiles.certificates(certificate).toArray(X509Certificate[]::new));
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(keys, NO_PASSWORD);
            return factory.getKeyManagers();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use " + certificate + " with " + key + ": " + e.getMessage(), e);
        }
    }

    private static TrustManager[] trustManagers(Path caFile) throws IOException {
        try {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            int index = 0;
            for (X509Certificate certificate : PemFiles.certificates(caFile)) {
                trusted.setCertificateEntry("ca-" + index++, certificate);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trusted);
            return factory.getTrustManagers();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot trust " + caFile + ": " + e.getMessage(), e);
        }
    }
}
