package io.dnstapforwarder.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReferenceDecodeTest {

    @Test
    void theCommittedReferenceIsWhatDnstapLdnsPrintsForTheCapture() throws Exception {
        java.nio.file.Path ldns = DnsPeers.require("dnstap-ldns", "dnstap-ldns");
        java.nio.file.Path capture = TestData.path(TestData.UNBOUND_SMALL);

        assertThat(run(ldns.toString(), "-y", "-r", capture.toString()))
                .isEqualTo(java.nio.file.Files.readString(TestData.path("unbound-small.yaml")));
        assertThat(run(ldns.toString(), "-r", capture.toString()))
                .isEqualTo(java.nio.file.Files.readString(TestData.path("unbound-small.txt")));
    }

    private static String run(String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("TZ", "UTC");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
        return output;
    }

    @Test
    void readsEveryMessageOfTheUnboundCaptureWithItsDnsDetails() throws Exception {
        List<ReferenceDecode.Message> messages = ReferenceDecode.unboundSmall();

        assertThat(messages).hasSize(652);
        ReferenceDecode.Message first = messages.get(0);
        assertThat(first.type()).isEqualTo("CLIENT_QUERY");
        assertThat(first.identity()).isEqualTo("unbound-test");
        assertThat(first.time()).isEqualTo(new BigDecimal("1795964864.986965"));
        assertThat(first.queryPort()).isEqualTo(38394);
        assertThat(first.messageSize()).isEqualTo(57);
        assertThat(first.dns().id()).isEqualTo(17509);
        assertThat(first.dns().flags()).containsExactly("rd", "ad");
        assertThat(first.dns().questionName()).isEqualTo("www.test.example.");
        assertThat(first.dns().ednsDataHex()).isEqualTo("000a00082220d147c216d54c");

        ReferenceDecode.Message second = messages.get(1);
        assertThat(second.type()).isEqualTo("CLIENT_RESPONSE");
        assertThat(second.dns().answers()).extracting(ReferenceDecode.ResourceRecord::rdata)
                .containsExactly("192.0.2.2", "192.0.2.1");
        assertThat(second.dns().answers().get(0).ttl()).isEqualTo(300);
    }
}
