package io.dnstapforwarder.bench.jmh;

import com.github.luben.zstd.ZstdInputStream;
import com.google.protobuf.ByteString;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.event.Transport;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Real dnstap messages for micro-benchmarks: the first frames of a capture, as the collector wraps them. */
final class Samples {

    /** The capture benchmarks read: -Ddnstap.capture=..., else the shared large capture, else the small one. */
    static Path capture() {
        String configured = System.getProperty("dnstap.capture");
        if (configured != null) {
            return Path.of(configured);
        }
        for (Path candidate : List.of(Path.of("../shared/testdata/unbound-large.fstrm.zst"),
                Path.of("../../shared/testdata/unbound-large.fstrm.zst"), Path.of("testdata/unbound-small.fstrm"),
                Path.of("../testdata/unbound-small.fstrm"))) {
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no capture found; set -Ddnstap.capture=PATH");
    }

    static List<DnstapEvent> events(int count) throws IOException {
        Path capture = capture();
        List<DnstapEvent> events = new ArrayList<>(count);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(capture), 1 << 20);
                InputStream in = capture.toString().endsWith(".zst") ? new ZstdInputStream(raw) : raw) {
            for (byte[] frame : FrameStreamFile.readAll(in, DnstapEvents.DNSTAP_CONTENT_TYPE)) {
                events.add(DnstapEvent.newBuilder().setFrame(ByteString.copyFrom(frame))
                        .setContentType(DnstapEvents.DNSTAP_CONTENT_TYPE).setCollectorId("collector-1")
                        .setConnectionId(1).setTransport(Transport.UNIX).setPeerAddress("/run/dnstap.sock")
                        .setReceivedAtNs(1_795_964_900_123_456_789L).build());
                if (events.size() == count) {
                    break;
                }
            }
        }
        return events;
    }

    private Samples() {
    }
}
