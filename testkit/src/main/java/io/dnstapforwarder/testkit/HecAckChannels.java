package io.dnstapforwarder.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * HEC indexer acknowledgement as the emulator keeps it: per request channel, the ackIds issued on
 * success, each reported true once when asked (unless held), then forgotten. Thread-safe.
 */
final class HecAckChannels {

    private final ObjectMapper json = Json.exactDecimals();
    private final Map<String, Set<Long>> pending = new HashMap<>();
    private final Map<String, Long> next = new HashMap<>();
    private boolean held;

    /** While held, acks stay false when polled. */
    synchronized void hold(boolean hold) {
        held = hold;
    }

    /** The ackId of a request the channel just sent. */
    synchronized long issue(String channelId) {
        long id = next.merge(channelId, 1L, Long::sum) - 1;
        pending.computeIfAbsent(channelId, c -> new HashSet<>()).add(id);
        return id;
    }

    /** The answer to an ack query ({@code {"acks":[0,1]}}) of the channel. */
    HecAnswer answer(String channelId, byte[] body) {
        if (channelId == null) {
            return HecAnswer.of(400, 10, "Data channel is missing");
        }
        JsonNode query;
        try {
            query = json.readTree(body);
        } catch (IOException e) {
            return HecAnswer.of(400, 6, "Invalid data format");
        }
        if (query == null || !query.path("acks").isArray()) {
            return HecAnswer.of(400, 6, "Invalid data format");
        }
        ObjectNode answer = json.createObjectNode();
        ObjectNode acks = answer.putObject("acks");
        synchronized (this) {
            Set<Long> ids = pending.computeIfAbsent(channelId, c -> new HashSet<>());
            for (JsonNode id : query.get("acks")) {
                acks.put(id.asText(), !held && ids.remove(id.asLong()));
            }
        }
        return new HecAnswer(200, answer.toString(), Map.of(), body.length, List.of());
    }
}
