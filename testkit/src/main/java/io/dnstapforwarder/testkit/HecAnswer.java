package io.dnstapforwarder.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/** The HEC emulator's answer to one request, and the events it indexed. */
record HecAnswer(int status, String body, Map<String, String> headers, int decodedBytes, List<JsonNode> indexed) {
    static HecAnswer of(int status, int code, String text) {
        return new HecAnswer(status, "{\"text\":\"" + text + "\",\"code\":" + code + "}", Map.of(), 0, List.of());
    }

    /** HEC's answer naming the event of the request it could not take, as Splunk answers. */
    static HecAnswer invalidEvent(int code, String text, int number) {
        return new HecAnswer(400, "{\"text\":\"" + text + "\",\"code\":" + code + ",\"invalid-event-number\":" + number
                + "}", Map.of(), 0, List.of());
    }
}
