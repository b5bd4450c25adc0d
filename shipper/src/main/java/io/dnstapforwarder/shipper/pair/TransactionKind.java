package io.dnstapforwarder.shipper.pair;

import java.util.Locale;

/** What became of a query or response the shipper pairs: the value of an event's {@code transaction} field. */
public enum TransactionKind {

    /** A query and its response, in one event. */
    PAIRED,

    /** A query whose response did not come within the window. */
    UNANSWERED,

    /** A response whose query never came (the server logs only responses, or the query was lost). */
    RESPONSE_ONLY;

    /** The field value: {@code paired}, {@code unanswered}, {@code response_only}. */
    public String fieldValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
