package io.dnstapforwarder.shipper.render;

import io.dnstapforwarder.dnstap.Message;

/** One dnstap message of a DNS transaction from its query's and its response's. */
final class TransactionMessages {

    private TransactionMessages() {
    }

    /**
     * The response with what only the query may carry: its time (servers such as Unbound put
     * only the response time in a response; where both have one, the query's own is when the query
     * came) and its DNS message, where the response has none.
     */
    static Message merge(Message query, Message response) {
        Message.Builder merged = response.toBuilder();
        if (DnsTimes.of(query).query()) {
            merged.setQueryTimeSec(query.getQueryTimeSec()).setQueryTimeNsec(query.getQueryTimeNsec());
        }
        if (!response.hasQueryMessage() && query.hasQueryMessage()) {
            merged.setQueryMessage(query.getQueryMessage());
        }
        return merged.build();
    }
}
