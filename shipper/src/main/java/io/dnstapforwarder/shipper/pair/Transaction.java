package io.dnstapforwarder.shipper.pair;

/**
 * One DNS transaction as the pairer ends it: both halves, or the one that came.
 *
 * @param <H> a half: the record and whatever the caller keeps with it
 * @param query the query, or null for {@link TransactionKind#RESPONSE_ONLY}
 * @param response the response, or null for {@link TransactionKind#UNANSWERED}
 */
public record Transaction<H>(TransactionKind kind, H query, H response) {

    static <H> Transaction<H> paired(H query, H response) {
        return new Transaction<>(TransactionKind.PAIRED, query, response);
    }

    static <H> Transaction<H> alone(H half, boolean query) {
        return query ? new Transaction<>(TransactionKind.UNANSWERED, half, null)
                : new Transaction<>(TransactionKind.RESPONSE_ONLY, null, half);
    }
}
