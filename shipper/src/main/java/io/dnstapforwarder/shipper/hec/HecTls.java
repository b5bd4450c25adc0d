package io.dnstapforwarder.shipper.hec;

import io.dnstapforwarder.tls.TlsContexts;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The TLS context toward HEC: the JDK's CAs, a CA file of the operator's, or (never in production) none. */
public final class HecTls {

    private static final Logger log = LoggerFactory.getLogger(HecTls.class);

    private HecTls() {
    }

    public static SSLContext context(Path caFile, boolean verify) throws IOException {
        if (!verify) {
            log.warn("*** HEC TLS certificates are NOT verified (--hec-tls-verify=false): anyone on the path can read "
                    + "and change what is sent to Splunk, token included. Use --hec-ca-file instead. ***");
            // The JDK HTTP client checks host names unless this is set; it applies to the whole process.
            System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
            return trustingAll();
        }
        if (caFile != null) {
            return TlsContexts.client(caFile);
        }
        try {
            return SSLContext.getDefault();
        } catch (GeneralSecurityException e) {
            throw new IOException("the JDK has no default TLS context: " + e.getMessage(), e);
        }
    }

    private static SSLContext trustingAll() throws IOException {
        TrustManager anything = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
                // verification is off at the operator's explicit request
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                // verification is off at the operator's explicit request
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {anything}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }
}
