package io.dnstapforwarder.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys and certificates as openssl writes them (fixtures made with openssl 3). */
class PemFilesTest {

    @Test
    void readsAnEcKeyInSec1LayoutAsOpensslWritesIt() throws Exception {
        PrivateKey key = PemFiles.privateKey(resource("ec-sec1-key.pem"));

        assertThat(key.getAlgorithm()).isEqualTo("EC");
        assertThat(TlsContexts.server(resource("ec-cert.pem"), resource("ec-sec1-key.pem"), null).getProtocol()).isEqualTo("TLS");
    }

    @Test
    void readsAnRsaKeyInPkcs1Layout() throws Exception {
        assertThat(PemFiles.privateKey(resource("rsa-pkcs1-key.pem")).getAlgorithm()).isEqualTo("RSA");
    }

    @Test
    void readsCertificates() throws Exception {
        assertThat(PemFiles.certificates(resource("ec-cert.pem"))).hasSize(1)
                .allSatisfy(certificate -> assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=sec1"));
    }

    @Test
    void saysWhatIsWrongWithAFileThatIsNotPem(@TempDir Path dir) throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.pem"), "not pem");

        assertThatThrownBy(() -> PemFiles.privateKey(junk)).isInstanceOf(IOException.class)
                .hasMessage(junk + " holds no unencrypted PEM private key");
        assertThatThrownBy(() -> PemFiles.certificates(junk)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(junk + " ");
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(PemFilesTest.class.getResource(name).toURI());
    }
}
