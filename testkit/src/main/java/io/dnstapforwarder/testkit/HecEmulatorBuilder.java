package io.dnstapforwarder.testkit;

import java.util.Set;
import java.util.UUID;

/** Options of the emulated HEC input. */
public final class HecEmulatorBuilder {
    private String token = UUID.randomUUID().toString();
    private boolean ackEnabled;
    private Set<String> allowedIndexes = Set.of();
    private javax.net.ssl.SSLContext tls;

    /** Serves HTTPS with this context (a server certificate) instead of plain HTTP. */
    public HecEmulatorBuilder tls(javax.net.ssl.SSLContext tls) {
        this.tls = tls;
        return this;
    }

    public HecEmulatorBuilder token(String token) {
        this.token = token;
        return this;
    }

    public HecEmulatorBuilder ackEnabled(boolean ackEnabled) {
        this.ackEnabled = ackEnabled;
        return this;
    }

    /** The indexes the token may write to; empty (the default) allows any. */
    public HecEmulatorBuilder allowedIndexes(Set<String> indexes) {
        this.allowedIndexes = indexes;
        return this;
    }

    public HecEmulator start() {
        HecEmulator emulator = new HecEmulator(token, ackEnabled, allowedIndexes, tls);
        emulator.start();
        return emulator;
    }
}
