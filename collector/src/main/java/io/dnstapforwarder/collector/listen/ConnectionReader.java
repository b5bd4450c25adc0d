package io.dnstapforwarder.collector.listen;

import io.dnstapforwarder.time.Time;
import io.dnstapforwarder.collector.monitor.CollectorMetrics;
import io.dnstapforwarder.collector.publish.EventPublisher;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.DnstapEventEncoder;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.fstrm.ControlFrame;
import io.dnstapforwarder.fstrm.ControlType;
import io.dnstapforwarder.fstrm.FrameDecoder;
import io.dnstapforwarder.fstrm.FrameEncoder;
import io.dnstapforwarder.fstrm.FrameStreamException;
import io.dnstapforwarder.fstrm.FrameStreamReceiver;
import io.dnstapforwarder.fstrm.FrameVisitor;
import io.dnstapforwarder.metrics.Stage;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one connection from its first byte to its end, on its own thread: frames come off the
 * socket, the handshake is answered, and each data frame is wrapped and published. Publishing
 * blocks when Kafka falls behind, and then this thread simply stops reading (backpressure).
 *
 * <p>A protocol violation ends this connection only, with one log line and a counter by reason.
 * The connection is held for {@link SocketListener#REFUSAL_PAUSE} before it is closed, so that a sender that
 * reconnects at once after being refused cannot make itself or the collector spin.
 */
final class ConnectionReader implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ConnectionReader.class);
    private static final int INITIAL_BUFFER_BYTES = 64 * 1024;
    private final SocketChannel socket;
    private final ListenEndpoint endpoint;
    private ByteChannel channel;
    private final Connection connection;
    private final DnstapEvent connectionFields;
    private DnstapEventEncoder encoder;
    private SenderIdentity requiredIdentity;
    private final EventPublisher publisher;
    private final FrameDecoder decoder;
    private final CollectorMetrics metrics;
    private final Time time;
    private final long maxPauseNanos;
    private final Function<Connection, String> admission;
    private final Runnable onClose;
    private long receivedAtNs;
    private long framesThisRead;
    private long bytesThisRead;
    private boolean unpublished;
    private boolean admitted;
    private boolean streaming;

    ConnectionReader(SocketChannel socket, ListenEndpoint endpoint, Connection connection, DnstapEvent connectionFields,
            EventPublisher publisher, int maxFrameBytes, CollectorMetrics metrics, Time time, Duration maxReadPause, Function<Connection, String> admission,
            Runnable onClose) {
        this.socket = socket;
        this.endpoint = endpoint;
        this.channel = socket;
        this.connection = connection;
        this.connectionFields = connectionFields;
        this.publisher = publisher;
        this.decoder = new FrameDecoder(maxFrameBytes);
        this.metrics = metrics;
        this.time = time;
        this.maxPauseNanos = maxReadPause.toNanos();
        this.admission = admission;
        this.onClose = onClose;
    }

    @Override
    public void run() {
        FrameStreamReceiver receiver = new FrameStreamReceiver(DnstapEvents.DNSTAP_CONTENT_TYPE, this::reply, this::publish);
        String ending = "closed";
        boolean refused = false;
        try {
            open();
            ending = readUntilDone(receiver);
        } catch (FrameStreamException e) {
            metrics.error(e.reason().tag(), Stage.RECEIVING);
            refused = true;
            ending = "refused (" + e.reason().tag() + ": " + e.getMessage() + ")";
            pauseBeforeHangingUp();
        } catch (IdentityMismatchException e) {
            metrics.error("identity_mismatch", Stage.RECEIVING);
            refused = true;
            ending = "refused (identity_mismatch: " + e.getMessage() + "; the frames before it were published)";
            pauseBeforeHangingUp();
        } catch (NotAdmittedException e) {
            refused = true;
            ending = "refused at its handshake (" + e.getMessage() + ")";
            pauseBeforeHangingUp();
        } catch (SSLException e) {
            refused = true;
            String reason = connection.closedBecause(); // the start timeout closes a stalled handshake
            if (reason != null) {
                metrics.error(reason, Stage.RECEIVING);
                ending = "closed (" + reason + ", during the TLS handshake)";
            } else {
                metrics.error("tls_handshake_failed", Stage.RECEIVING);
                ending = "refused (tls_handshake_failed: " + e.getMessage() + ")";
                pauseBeforeHangingUp();
            }
        } catch (IOException e) {
            String reason = connection.closedBecause();
            if (reason != null) {
                metrics.error(reason, Stage.RECEIVING);
                refused = true;
                ending = "closed (" + reason + ")";
            } else if (connection.closedForStop() || e instanceof ClosedChannelException
                    || e instanceof InterruptedIOException) {
                ending = "closed by the collector";
            } else {
                metrics.error("connection_io", Stage.RECEIVING);
                refused = true;
                ending = "failed (" + e + ")";
            }
        } finally {
            closeQuietly();
            onClose.run();
            String format = "Connection {} from {} {} after {} frames ({} bytes, {} handshake)";
            Object[] arguments = {connection.id(), connection.peer(), ending, connection.frames(), connection.bytes(),
                    receiver.handshake().name().toLowerCase(Locale.ROOT)};
            if (refused) {
                log.warn(format, arguments);
            } else {
                log.info(format, arguments);
            }
        }
    }

    /**
     * Readies the connection for Frame Streams: for TLS, the handshake, bounded by the read
     * timeout; every event of the connection then carries the client certificate's subject.
     */
    private void open() throws IOException {
        ListenEndpoint.Opened opened = endpoint.open(socket);
        channel = opened.channel();
        requiredIdentity = opened.requiredIdentity();
        if (opened.clientCertificate() == null) {
            encoder = new DnstapEventEncoder(connectionFields);
        } else {
            connection.clientCertificate(opened.clientCertificate());
            encoder = new DnstapEventEncoder(connectionFields.toBuilder()
                    .setPeerCertificate(opened.clientCertificate()).build());
        }
    }

    /** Reads until STOP or the end of the stream; returns how the stream ended. */
    private String readUntilDone(FrameStreamReceiver receiver) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(INITIAL_BUFFER_BYTES);
        long listeningSince = time.nanoTime();
        ReadBacklog backlog = new ReadBacklog();
        while (!receiver.stopped()) {
            if (!buffer.hasRemaining()) {
                buffer = grow(buffer);
            }
            int read = channel.read(buffer);
            // A read that leaves room in the buffer took all there was: the socket is empty now.
            boolean emptied = buffer.hasRemaining();
            long taken = backlog.afterRead(read, emptied);
            if (taken != ReadBacklog.STILL_READING) {
                connection.backlogRead(taken);
                metrics.backlogRead(connection.transport(), taken);
            }
            // The rate is what arrived while this reader was free to read (paused or waiting in
            // read), not while it was publishing: a reader held back by Kafka must not then pause.
            long pause = emptied ? ReadPacing.pauseNanos(read, time.nanoTime() - listeningSince, maxPauseNanos) : 0;
            if (read < 0) {
                if (buffer.position() > 0) {
                    throw new FrameStreamException(FrameStreamException.Reason.TRUNCATED_FRAME,
                            "stream ended inside a frame (" + buffer.position() + " bytes of it received)");
                }
                // dnsdist and PowerDNS end the stream without STOP: normal.
                return receiver.receiving() ? "ended by the sender without STOP" : "ended by the sender before START";
            }
            Instant now = time.now();
            receivedAtNs = now.getEpochSecond() * 1_000_000_000L + now.getNano();
            framesThisRead = 0;
            bytesThisRead = 0;
            buffer.flip();
            connection.publishing(true);
            try {
                decoder.decode(buffer, admittingAtStart(receiver));
            } catch (IOException e) {
                if (unpublished) {
                    countUnpublished(buffer);
                }
                throw e;
            } finally {
                connection.publishing(false);
                boolean partial = buffer.hasRemaining();
                buffer.compact();
                if (framesThisRead > 0) {
                    metrics.received(framesThisRead, bytesThisRead);
                }
                connection.recordRead(framesThisRead, bytesThisRead, now, time.nanoTime(), partial, receiver.handshake());
            }
            listeningSince = time.nanoTime();
            if (pause > 0 && !receiver.stopped()) {
                LockSupport.parkNanos(pause);
            }
        }
        return "stopped";
    }

    /**
     * The receiver, with the connection admitted to the streaming connections (a --max-connections
     * slot) at its first READY or START, before the ACCEPT that lets a sender send data: a sender
     * refused then has sent nothing to lose. Until START it stays under the start timeout.
     */
    private FrameVisitor admittingAtStart(FrameStreamReceiver receiver) {
        if (streaming) {
            return receiver;
        }
        return new FrameVisitor() {
            @Override
            public void onDataFrame(ByteBuffer frame) throws IOException {
                receiver.onDataFrame(frame);
            }

            @Override
            public void onControlFrame(ControlFrame frame) throws IOException {
                boolean opensTheStream = frame.type() == ControlType.READY || frame.type() == ControlType.START;
                if (!admitted && opensTheStream) {
                    String refusal = admission.apply(connection);
                    if (refusal != null) {
                        throw new NotAdmittedException(refusal);
                    }
                    admitted = true;
                }
                receiver.onControlFrame(frame);
                if (receiver.receiving()) {
                    streaming = true;
                    connection.started();
                }
            }
        };
    }

    /** A frame speaks for a DNS server its client certificate does not name. */
    private static final class IdentityMismatchException extends IOException {
        IdentityMismatchException(String message) {
            super(message);
        }
    }

    /** READY or START came when every --max-connections slot was taken. */
    private static final class NotAdmittedException extends IOException {
        NotAdmittedException(String message) {
            super(message);
        }
    }

    /** A buffer large enough for the frame that filled this one (the decoder has checked its length). */
    private ByteBuffer grow(ByteBuffer full) {
        int needed = decoder.pendingFrameBytes(full.flip());
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(needed, full.capacity()));
        bigger.put(full);
        return bigger;
    }

    private void publish(ByteBuffer frame) throws IOException {
        int size = frame.remaining();
        if (requiredIdentity != null) {
            String mismatch = requiredIdentity.mismatch(frame);
            if (mismatch != null) {
                throw new IdentityMismatchException(mismatch);
            }
        }
        try {
            publisher.publish(encoder.encode(frame, receivedAtNs));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unpublished = true;
            throw new InterruptedIOException("interrupted while publishing");
        } catch (RuntimeException e) {
            unpublished = true; // the publisher is closed under us: shutdown could not wait for this reader
            throw new IOException("the publisher did not take the frame: " + e.getMessage(), e);
        }
        framesThisRead++;
        bytesThisRead += size;
    }

    /**
     * Counts, loudly, the frames read from the socket that will never reach Kafka: the one being
     * published when shutdown could wait no longer, and the complete ones after it in the buffer.
     */
    private void countUnpublished(ByteBuffer rest) {
        long lost = 1 + FrameDecoder.completeDataFrames(rest);
        metrics.discarded(lost);
        metrics.error("shutdown_unpublished", Stage.SENDING);
        log.error("Connection {} from {}: {} frames read from the socket were not published before shutdown "
                + "(Kafka did not take them in time); the DNS server sent them and they are lost", connection.id(),
                connection.peer(), lost);
    }

    private void reply(ControlFrame frame) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(FrameEncoder.encode(frame));
        while (out.hasRemaining()) {
            channel.write(out);
        }
    }

    private void pauseBeforeHangingUp() {
        try {
            time.sleep(SocketListener.REFUSAL_PAUSE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeQuietly() {
        try {
            channel.close();
            socket.close();
        } catch (IOException e) {
            log.debug("Closing connection {} failed", connection.id(), e);
        }
    }
}
