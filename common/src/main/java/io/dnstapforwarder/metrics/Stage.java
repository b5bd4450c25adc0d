package io.dnstapforwarder.metrics;

import java.util.Locale;

/** Where in a component an error happened (the {@code stage} tag of {@code dnstap.component.errors}). */
public enum Stage {
    RECEIVING,
    PROCESSING,
    SENDING;

    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
