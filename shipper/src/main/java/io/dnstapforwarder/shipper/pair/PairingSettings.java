package io.dnstapforwarder.shipper.pair;

import io.dnstapforwarder.config.Require;
import java.time.Duration;

/**
 * Pairing queries with their responses ({@code --transactions}).
 *
 * @param enabled one event per DNS transaction (else one per dnstap message)
 * @param window how long a query waits for its response before it is an unanswered query: by
 *     default 10 s, BIND's {@code resolver-query-timeout} and twice a stub resolver's 5 s
 *     ({@code resolv.conf} {@code timeout:5}, {@code attempts:2}), past which no client still waits
 * @param maxPending the most queries and responses waiting for their partner at once; past it the
 *     oldest are sent unpaired, and counted
 */
public record PairingSettings(boolean enabled, Duration window, int maxPending) {

    public static final long DEFAULT_WINDOW_MS = 10_000;
    public static final int DEFAULT_MAX_PENDING = 100_000;
    public static final PairingSettings OFF = new PairingSettings(false, Duration.ofMillis(DEFAULT_WINDOW_MS),
            DEFAULT_MAX_PENDING);
    public static final PairingSettings ON = new PairingSettings(true, OFF.window(), OFF.maxPending());

    public PairingSettings {
        Require.between("--transaction-window-ms", window.toMillis(), 1, 600_000, "must be 1 to 600000");
        Require.between("--transaction-max-pending", maxPending, 1, 10_000_000, "must be 1 to 10000000");
    }
}
