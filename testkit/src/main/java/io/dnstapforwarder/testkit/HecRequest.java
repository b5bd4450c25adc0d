package io.dnstapforwarder.testkit;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/** What a client sent, when, and what it got. */
public record HecRequest(Instant receivedAt, String method, String path, Map<String, String> headers,
        int bodyBytes, int decodedBytes, int eventsAccepted, int status, String responseBody) {

    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }
}
