package io.dnstapforwarder.shipper.shape;

import com.google.protobuf.InvalidProtocolBufferException;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.event.DnstapPeek;
import io.dnstapforwarder.shipper.pair.TransactionKind;
import io.dnstapforwarder.shipper.render.HecEventRenderer;
import java.util.function.Supplier;

/**
 * Renders a record with the profile and sample rate of the shaping rules in force (asked for each
 * record, so a changed rule applies at once). What the rules drop was decided before
 * ({@link ShapingFilter}); while they drop nothing, this counts the record per DNS server, on the
 * worker that reads the bytes anyway (at the moment the rules change, a batch's records may be
 * counted by either side). One per worker thread: renderers keep buffers.
 */
public final class ShapedRenderer implements RecordRenderer {

    private final Supplier<ShapingRules> rules;
    private final HecEventRenderer renderer;
    private final ServerMeters.Local servers;
    private final DnstapPeek peek;

    /**
     * @param servers counts, while the rules drop nothing (and {@link ShapingFilter} reads no record),
     *     each record per DNS server; {@code null} for no such counting
     */
    public ShapedRenderer(Supplier<ShapingRules> rules, HecEventRenderer renderer, ServerMeters servers) {
        this.rules = rules;
        this.renderer = renderer;
        this.servers = servers == null ? null : servers.local();
        this.peek = servers == null ? null : new DnstapPeek();
    }

    @Override
    public byte[] render(byte[] recordValue) throws InvalidProtocolBufferException {
        ShapingRules current = rules.get();
        if (servers != null && !current.dropsAnything()) {
            peek.read(recordValue);
            servers.count(peek);
        }
        return renderer.render(DnstapEvents.parse(recordValue), current.profile(), current.sampleRate());
    }

    @Override
    public byte[] render(TransactionKind kind, byte[] query, byte[] response, String transactionError)
            throws InvalidProtocolBufferException {
        ShapingRules current = rules.get();
        if (servers != null && !current.dropsAnything()) {
            for (byte[] half : new byte[][] {query, response}) {
                if (half != null) {
                    peek.read(half);
                    servers.count(peek);
                }
            }
        }
        return renderer.render(kind, RecordRenderer.parse(query), RecordRenderer.parse(response), current.profile(),
                current.sampleRate(), transactionError);
    }
}
