package io.dnstapforwarder.shipper.hec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;

/**
 * Maps an HTTP answer from HEC to an {@link Outcome}. A pure function: status, body and the
 * Retry-After header in, outcome out.
 *
 * <p>HEC's {@code code} decides when the body has one ({@link HecCode#kind()}). Otherwise the
 * status does, as in Vector's HEC sink: 429, 408 and 5xx other than 501 are retried; 400 and 413
 * reject the data; any other answer (401, 403, 404, 501, redirects) means the URL or token is
 * wrong and the data must wait, never be dead-lettered.
 */
public final class ResponseClassifier {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ResponseClassifier() {
    }

    /** @param retryAfter the Retry-After the server sent, or {@code null} */
    public static Outcome classify(int status, String body, Duration retryAfter) {
        JsonNode parsed = parse(body);
        String text = parsed != null && parsed.hasNonNull("text") ? parsed.get("text").asText() : body.strip();
        HecCode code = parsed != null && parsed.path("code").canConvertToInt() ? HecCode.of(parsed.get("code").asInt()) : null;
        if (status >= 200 && status < 300 && (code == null || code.kind() == HecCode.Kind.DELIVERED)) {
            return new Outcome.Delivered(parsed != null && parsed.has("ackId") ? parsed.get("ackId").asLong() : -1);
        }
        String reason = "HTTP " + status + (text.isEmpty() ? "" : ": " + text);
        if (code != null) {
            String errorCode = "hec_" + code.code();
            return switch (code.kind()) {
                case DATA -> new Outcome.Rejected(reason, errorCode, parsed.path("invalid-event-number").asInt(-1));
                case CONFIGURATION -> new Outcome.Misconfigured(reason, errorCode);
                case TRANSIENT -> new Outcome.Retryable(reason, errorCode, retryAfter);
                case DELIVERED -> new Outcome.Misconfigured(reason + " (a success code with a failure status)", errorCode);
            };
        }
        String errorCode = "http_" + status;
        if (status == 429 || status == 408 || (status >= 500 && status != 501)) {
            return new Outcome.Retryable(reason, errorCode, retryAfter);
        }
        if (status == 400 || status == 413) {
            return new Outcome.Rejected(reason, errorCode, -1);
        }
        return new Outcome.Misconfigured(reason, errorCode);
    }

    /** Retry-After as seconds (HTTP dates are rare from HEC and are ignored); {@code null} if absent or unreadable. */
    public static Duration retryAfter(String header) {
        if (header == null) {
            return null;
        }
        try {
            long seconds = Long.parseLong(header.trim());
            return seconds >= 0 ? Duration.ofSeconds(seconds) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }
}
