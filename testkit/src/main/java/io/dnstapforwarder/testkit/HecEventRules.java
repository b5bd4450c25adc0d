package io.dnstapforwarder.testkit;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * What Splunk's HEC takes and rejects in a request body, event by event, with its codes: the
 * emulator's strictness, usable without a running emulator ({@link #rejection}).
 */
final class HecEventRules {

    /** Reads request bodies as strictly as Splunk: invalid UTF-8 or JSON is "Invalid data format". */
    private static final ObjectMapper STRICT_JSON = Json.exactDecimals();

    private HecEventRules() {
    }

    static byte[] decode(byte[] body, String encoding) throws IOException {
        if (encoding == null || encoding.isBlank() || encoding.equalsIgnoreCase("identity")) {
            return body;
        }
        if (!encoding.equalsIgnoreCase("gzip")) {
            throw new IOException("unsupported content encoding " + encoding);
        }
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return in.readAllBytes();
        }
    }

    /** The events of a request body HEC would index, and the error that stopped it, if any. */
    record Parsed(List<JsonNode> accepted, HecAnswer error) {
    }

    /** Null when HEC would index every event of {@code body}, else the body of HEC's error answer. */
    static String rejection(byte[] body) {
        Parsed parsed = parse(body, Set.of());
        if (parsed.error() == null && parsed.accepted().isEmpty()) {
            return "{\"text\":\"No data\",\"code\":5}";
        }
        return parsed.error() == null ? null : parsed.error().body();
    }

    static Parsed parse(byte[] decoded, Set<String> allowedIndexes) {
        List<JsonNode> accepted = new ArrayList<>();
        HecAnswer error = null;
        try (JsonParser parser = STRICT_JSON.getFactory().createParser(decoded)) {
            while (error == null) {
                JsonToken token;
                try {
                    token = parser.nextToken();
                } catch (IOException e) {
                    error = HecAnswer.invalidEvent(6, "Invalid data format", accepted.size());
                    break;
                }
                if (token == null) {
                    break;
                }
                if (token != JsonToken.START_OBJECT) {
                    error = HecAnswer.invalidEvent(6, "Invalid data format", accepted.size());
                    break;
                }
                JsonNode event;
                try {
                    event = STRICT_JSON.readTree(parser);
                } catch (IOException e) {
                    error = HecAnswer.invalidEvent(6, "Invalid data format", accepted.size());
                    break;
                }
                error = validate(event, accepted.size(), allowedIndexes);
                if (error == null) {
                    accepted.add(event);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Parsed(accepted, error);
    }

    private static HecAnswer validate(JsonNode event, int number, Set<String> allowedIndexes) {
        if (!event.has("event")) {
            return HecAnswer.invalidEvent(12, "Event field is required", number);
        }
        JsonNode body = event.get("event");
        if (body.isNull() || (body.isTextual() && body.asText().isBlank())) {
            return HecAnswer.invalidEvent(13, "Event field cannot be blank", number);
        }
        JsonNode time = event.get("time");
        if (time != null && !(time.isNumber() || (time.isTextual() && isNumeric(time.asText())))) {
            return HecAnswer.invalidEvent(6, "Invalid data format", number);
        }
        for (String field : List.of("host", "source", "sourcetype", "index")) {
            JsonNode value = event.get(field);
            if (value != null && !value.isTextual()) {
                return HecAnswer.invalidEvent(6, "Invalid data format", number);
            }
        }
        JsonNode index = event.get("index");
        if (index != null && !allowedIndexes.isEmpty() && !allowedIndexes.contains(index.asText())) {
            return HecAnswer.invalidEvent(7, "Incorrect index", number);
        }
        JsonNode fields = event.get("fields");
        if (fields != null && !isFlat(fields)) {
            return HecAnswer.invalidEvent(15, "Error in handling indexed fields", number);
        }
        return null;
    }

    private static boolean isNumeric(String text) {
        try {
            Double.parseDouble(text);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean isFlat(JsonNode fields) {
        if (!fields.isObject()) {
            return false;
        }
        for (JsonNode value : fields) {
            if (value.isObject()) {
                return false;
            }
            if (value.isArray()) {
                for (JsonNode item : value) {
                    if (item.isContainerNode()) {
                        return false;
                    }
                }
            }
        }
        return true;
    }
}
