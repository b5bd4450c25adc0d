package io.dnstapforwarder.shipper.shape;

import io.dnstapforwarder.event.DnstapPeek;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Whether a record goes on to Splunk under the shaping rules in force, decided on the few bytes
 * {@link DnstapPeek} reads before anything is built; counts what it drops, by rule, and, when it
 * reads a record, the record per DNS server. The rules are asked for each record, so a changed
 * rule applies at once. A record it cannot read is never dropped: the renderer keeps it whole or
 * dead-letters it. One per thread (it keeps the peek's state).
 */
public final class ShapingFilter implements Predicate<byte[]> {

    private final Supplier<ShapingRules> rules;
    private final DropCounters drops;
    private final ServerMeters.Local servers;
    private final DnstapPeek peek = new DnstapPeek();

    /** @param servers counts each record per DNS server; {@code null} for no such counting */
    public ShapingFilter(Supplier<ShapingRules> rules, DropCounters drops, ServerMeters servers) {
        this.rules = rules;
        this.drops = drops;
        this.servers = servers == null ? null : servers.local();
    }

    /**
     * True when the record goes on; false when the rules drop it (counted). While the rules drop
     * nothing it reads nothing: the worker that renders the record counts it per server
     * ({@link ShapedRenderer}), on bytes it reads anyway.
     */
    @Override
    public boolean test(byte[] recordValue) {
        ShapingRules current = rules.get();
        if (recordValue == null || !current.dropsAnything()) {
            return true;
        }
        boolean readable = peek.read(recordValue);
        if (servers != null) {
            servers.count(peek);
        }
        ShapingRules.Drop drop = readable ? current.dropReason(peek) : null;
        if (drop != null) {
            drops.dropped(drop);
            return false;
        }
        return true;
    }
}
