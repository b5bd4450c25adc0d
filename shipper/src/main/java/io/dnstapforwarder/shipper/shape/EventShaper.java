package io.dnstapforwarder.shipper.shape;

import com.google.protobuf.InvalidProtocolBufferException;
import io.dnstapforwarder.shipper.pair.TransactionKind;
import io.dnstapforwarder.shipper.render.HecEventRenderer;
import java.util.function.Supplier;

/**
 * Shaping and rendering in one, for a record at a time ({@code tap}, the JMH benchmark): drops what
 * the rules drop ({@link ShapingFilter}) and renders the rest with the rules' profile and sample
 * rate. The shipper itself decides on the consumer thread, before batching, and its workers only
 * render ({@link ShapedRenderer}). One per thread.
 */
public final class EventShaper implements RecordRenderer {

    private final ShapingFilter filter;
    private final ShapedRenderer renderer;

    /** @param servers counts each record per DNS server; {@code null} for no such counting */
    public EventShaper(Supplier<ShapingRules> rules, HecEventRenderer renderer, DropCounters drops,
            ServerMeters servers) {
        this.filter = new ShapingFilter(rules, drops, servers);
        this.renderer = new ShapedRenderer(rules, renderer, servers);
    }

    @Override
    public byte[] render(byte[] recordValue) throws InvalidProtocolBufferException {
        return filter.test(recordValue) ? renderer.render(recordValue) : null;
    }

    /**
     * Each half decided on its own, as the shipper decides each record before pairing: a half the
     * rules drop is left out, and what remains is what the shipper would have made of it (a query
     * whose response was dropped ends unanswered).
     */
    @Override
    public byte[] render(TransactionKind kind, byte[] query, byte[] response, String transactionError)
            throws InvalidProtocolBufferException {
        byte[] keptQuery = query != null && filter.test(query) ? query : null;
        byte[] keptResponse = response != null && filter.test(response) ? response : null;
        if (keptQuery == null && keptResponse == null) {
            return null;
        }
        if (keptQuery == query && keptResponse == response) {
            return renderer.render(kind, query, response, transactionError);
        }
        return keptQuery != null ? renderer.render(TransactionKind.UNANSWERED, keptQuery, null, null)
                : renderer.render(TransactionKind.RESPONSE_ONLY, null, keptResponse, null);
    }
}
