package io.dnstapforwarder.bench;

import com.github.luben.zstd.ZstdInputStream;
import io.dnstapforwarder.config.HostPort;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.fstrm.FrameStreamWriter;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Plays many DNS servers at once: sends dnstap over N Frame Streams connections (Unix or TCP) to
 * a collector, at full speed or at a target rate, and measures what counts, frames per second
 * acknowledged by Kafka, from the topic's end offsets (independent of the collector's own
 * counters). Frames come from a capture ({@code .fstrm} or {@code .fstrm.zst}), pre-encoded in
 * memory so that the sender is not the bottleneck ({@code fstrm_replay} is: FACTS.md).
 */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Send dnstap to a collector over N connections and report frames/s acknowledged by Kafka.")
public final class LoadGenerator implements Callable<Integer> {

    @Option(names = "--capture", required = true, description = "Capture to replay: .fstrm or .fstrm.zst.")
    private Path capture;

    @Option(names = "--unix", description = "Collector's Unix socket.")
    private Path unix;

    @Option(names = "--tcp", converter = HostPort.Converter.class, description = "Collector's TCP address.")
    private HostPort tcp;

    @Option(names = "--connections", defaultValue = "1", description = "Concurrent connections. Default: ${DEFAULT-VALUE}.")
    private int connections;

    @Option(names = "--frames", defaultValue = "10000000",
            description = "Frames to send in all (the capture repeats). Default: ${DEFAULT-VALUE}.")
    private long frames;

    @Option(names = "--duration-sec", defaultValue = "120", description = "Stop sending after this long. Default: ${DEFAULT-VALUE}.")
    private long durationSec;

    @Option(names = "--rate", defaultValue = "0", description = "Frames/s over all connections; 0 for full speed.")
    private long rate;

    @Option(names = "--bidirectional", defaultValue = "true", arity = "1", description = "Handshake mode. Default: ${DEFAULT-VALUE}.")
    private boolean bidirectional;

    @Option(names = "--kafka-bootstrap", defaultValue = "127.0.0.1:9092", description = "Kafka, to count acknowledged frames.")
    private String bootstrap;

    @Option(names = "--kafka-topic", defaultValue = "dnstap.events", description = "Topic the collector publishes to.")
    private String topic;

    @Option(names = "--warmup-sec", defaultValue = "10",
            description = "Seconds left out of the reported median. Default: ${DEFAULT-VALUE}.")
    private int warmupSec;

    @Override
    public Integer call() throws Exception {
        if ((unix == null) == (tcp == null)) {
            throw new IllegalArgumentException("give exactly one of --unix and --tcp");
        }
        Encoded encoded = encode(capture);
        System.out.printf(Locale.ROOT, "capture: %d frames, mean %.1f bytes%n", encoded.count(),
                (double) (encoded.bytes().capacity() - 4L * encoded.count()) / encoded.count());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap, "default.api.timeout.ms", 3000,
                "request.timeout.ms", 3000))) {
            long start = endOffset(admin);
            AtomicLong sent = new AtomicLong();
            CountDownLatch done = new CountDownLatch(connections);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(durationSec);
            List<Thread> senders = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                long share = frames / connections + (i < frames % connections ? 1 : 0);
                Thread sender = new Thread(() -> {
                    try {
                        send(encoded, share, deadline, sent);
                    } catch (IOException | InterruptedException e) {
                        System.err.println("sender failed: " + e);
                    } finally {
                        done.countDown();
                    }
                }, "sender-" + i);
                senders.add(sender);
            }
            long began = System.nanoTime();
            senders.forEach(Thread::start);
            List<Double> perSecond = new ArrayList<>();
            long previous = start;
            long previousAt = began;
            long sentTotal = 0;
            boolean sending = true;
            while (sending || ackedOrUnknown(admin, previous) - start < sent.get()) {
                sending = !done.await(1, TimeUnit.SECONDS);
                long now = System.nanoTime();
                long acked = ackedOrUnknown(admin, previous);
                double ratePerSec = (acked - previous) / ((now - previousAt) / 1e9);
                long elapsed = TimeUnit.NANOSECONDS.toSeconds(now - began);
                System.out.printf(Locale.ROOT, "t=%3ds sent=%,d acked=%,d rate=%,.0f/s%n", elapsed, sent.get(), acked - start,
                        ratePerSec);
                if (elapsed >= warmupSec && acked > previous) {
                    perSecond.add(ratePerSec);
                }
                previous = acked;
                previousAt = now;
                sentTotal = sent.get();
                if (now - began > TimeUnit.SECONDS.toNanos(durationSec + 120)) {
                    System.out.println("giving up waiting for Kafka to acknowledge everything");
                    break;
                }
            }
            double seconds = (previousAt - began) / 1e9;
            Collections.sort(perSecond);
            System.out.printf(Locale.ROOT, "RESULT connections=%d sent=%,d acked=%,d seconds=%.1f mean=%,.0f/s median=%,.0f/s%n",
                    connections, sentTotal, previous - start, seconds, (previous - start) / seconds,
                    perSecond.isEmpty() ? 0.0 : perSecond.get(perSecond.size() / 2));
        }
        return 0;
    }

    /** One connection: repeats the capture until its share is sent or the deadline passes. */
    private void send(Encoded encoded, long share, long deadline, AtomicLong sent) throws IOException, InterruptedException {
        SocketAddress address = unix != null ? UnixDomainSocketAddress.of(unix) : tcp.toSocketAddress();
        try (SocketChannel channel = SocketChannel.open(unix != null ? StandardProtocolFamily.UNIX : StandardProtocolFamily.INET)) {
            channel.connect(address);
            try (FrameStreamWriter writer = FrameStreamWriter.open(channel, DnstapEvents.DNSTAP_CONTENT_TYPE, bidirectional)) {
                long perConnectionRate = rate / connections;
                int chunkFrames = perConnectionRate > 0 ? (int) Math.max(1, perConnectionRate / 100) : 4096;
                long left = share;
                int at = 0;
                long started = System.nanoTime();
                long done = 0;
                while (left > 0 && System.nanoTime() < deadline) {
                    int count = (int) Math.min(Math.min(chunkFrames, left), encoded.count() - at);
                    ByteBuffer chunk = encoded.bytes().duplicate();
                    chunk.position(encoded.offsets()[at]).limit(encoded.offsets()[at + count]);
                    writer.writeFramed(chunk);
                    at = (at + count) % encoded.count();
                    left -= count;
                    done += count;
                    sent.addAndGet(count);
                    if (perConnectionRate > 0) {
                        long due = started + done * 1_000_000_000L / perConnectionRate;
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        }
                    }
                }
            }
        }
    }

    /** The capture's data frames, length-prefixed back to back, and where each starts. */
    private record Encoded(ByteBuffer bytes, int[] offsets, int count) {
    }

    private static Encoded encode(Path capture) throws IOException {
        List<byte[]> frames;
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(capture), 1 << 20);
                InputStream in = capture.toString().endsWith(".zst") ? new ZstdInputStream(raw) : raw) {
            frames = FrameStreamFile.readAll(in, DnstapEvents.DNSTAP_CONTENT_TYPE);
        }
        long total = frames.stream().mapToLong(f -> 4L + f.length).sum();
        ByteBuffer bytes = ByteBuffer.allocateDirect(Math.toIntExact(total));
        int[] offsets = new int[frames.size() + 1];
        for (int i = 0; i < frames.size(); i++) {
            offsets[i] = bytes.position();
            bytes.putInt(frames.get(i).length).put(frames.get(i));
        }
        offsets[frames.size()] = bytes.position();
        bytes.flip();
        return new Encoded(bytes, offsets, frames.size());
    }

    /** The topic's end offsets, or {@code fallback} while Kafka does not answer (an outage under test). */
    private long ackedOrUnknown(Admin admin, long fallback) throws InterruptedException {
        try {
            return endOffset(admin);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            System.out.println("kafka does not answer: " + e.getMessage());
            return fallback;
        }
    }

    private long endOffset(Admin admin) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        return admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).values().stream()
                .mapToLong(info -> info.offset()).sum();
    }
}
