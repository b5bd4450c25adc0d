package io.dnstapforwarder.shipper.hec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;

/**
 * Maps an HTTP answer from HEC to an {@link Outcome}. A pure function: status, body and the
 * Retry-After header in, outcome out.
 *
 * <p>HEC's {@code code} decides when the body has one ({@link HecCode#kind()}): only HEC itself
 * can say that data is bad, so only a HEC code dead-letters. Otherwise the status does, as in
 * Vector's HEC sink: 429, 408 and 5xx other than 501 are retried; 413 means the request is too
 * large and is split; any other answer (a plain 400 or a success that is not HEC's JSON, from a
 * proxy say; 401, 403, 404, 501, redirects) means that what answers is not HEC as configured, and
 * the data must wait, never be dead-lettered.
 */
public final class ResponseClassifier {

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * The longest a server may ask us to wait (Retry-After) before the next attempt: a proxy's
     * "come back in an hour" must not stall every worker for an hour.
     */
    public static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);

    private ResponseClassifier() {
    }

    /** @param retryAfter the Retry-After the server sent, or {@code null} */
    public static Outcome classify(int status, String body, Duration retryAfter) {
        JsonNode parsed = parse(body);
        String text = parsed != null && parsed.hasNonNull("text") ? parsed.get("text").asText() : body.strip();
        HecCode code = parsed != null && parsed.path("code").canConvertToInt() ? HecCode.of(parsed.get("code").asInt()) : null;
        if (status >= 200 && status < 300 && code != null && code.kind() == HecCode.Kind.DELIVERED) {
            return new Outcome.Delivered(parsed.has("ackId") ? parsed.get("ackId").asLong() : -1);
        }
        String reason = "HTTP " + status + (text.isEmpty() ? "" : ": " + abbreviate(text));
        if (status == 413) {
            return new Outcome.TooLarge(reason, "http_413"); // whoever says it, HEC or a proxy: smaller requests go
        }
        if (status >= 200 && status < 300 && code == null) {
            return new Outcome.Misconfigured(reason + " (a success without HEC's answer: is the URL HEC's, or a proxy's?)",
                    "not_hec");
        }
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
        return new Outcome.Misconfigured(reason, errorCode);
    }

    /** Proxies answer with whole HTML pages: a reason stays one short line. */
    private static String abbreviate(String text) {
        String line = text.replaceAll("\\s+", " ");
        return line.length() <= 200 ? line : line.substring(0, 200) + "...";
    }

    /**
     * Retry-After as seconds, at most {@link #MAX_RETRY_AFTER} (HTTP dates are rare from HEC and
     * are ignored); {@code null} if absent or unreadable.
     */
    public static Duration retryAfter(String header) {
        if (header == null || !header.trim().matches("\\d{1,30}")) {
            return null;
        }
        String digits = header.trim();
        // Compared as text first: more digits than a long holds is simply "very long".
        if (digits.length() > 18 || Long.parseLong(digits) > MAX_RETRY_AFTER.toSeconds()) {
            return MAX_RETRY_AFTER;
        }
        return Duration.ofSeconds(Long.parseLong(digits));
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
