package io.dnstapforwarder.ops;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The answer of a readiness check: whether the service can do its job now, and each condition
 * that went into the answer, by name, for the humans reading {@code /ready}.
 */
public record Readiness(boolean ready, Map<String, Object> checks) {

    public Readiness {
        checks = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(checks));
    }

    /** Builds an answer from named conditions: ready only when every condition holds. */
    public static final class Builder {
        private final Map<String, Object> checks = new LinkedHashMap<>();
        private boolean ready = true;

        /** A condition that must hold; {@code detail} explains the state either way. */
        public Builder require(String name, boolean holds, String detail) {
            ready &= holds;
            checks.put(name, Map.of("ok", holds, "detail", detail));
            return this;
        }

        public Readiness build() {
            return new Readiness(ready, checks);
        }
    }

    public static Builder builder() {
        return new Builder();
    }
}
