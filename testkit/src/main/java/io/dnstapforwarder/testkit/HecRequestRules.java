package io.dnstapforwarder.testkit;

import com.sun.net.httpserver.HttpExchange;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** What HEC checks of a request before it reads the body: path, method, token and channel. */
final class HecRequestRules {

    static final String ACK_PATH = "/services/collector/ack";
    private static final Pattern GUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Set<String> EVENT_PATHS = Set.of(
            "/services/collector", "/services/collector/event", "/services/collector/event/1.0");

    private HecRequestRules() {
    }

    /**
     * HEC's answer refusing a request to {@code path} (an event post or an ack query), or null
     * when the request may go on to its body.
     */
    static HecAnswer refusal(HttpExchange exchange, String path, String token, boolean ackEnabled) {
        boolean ackQuery = path.equals(ACK_PATH);
        if (!EVENT_PATHS.contains(path) && !ackQuery) {
            return HecAnswer.of(404, 404, "The requested URL was not found on this server.");
        }
        if (!exchange.getRequestMethod().equals("POST")) {
            return HecAnswer.of(405, 405, "Method not allowed");
        }
        HecAnswer denied = authorize(exchange.getRequestHeaders().getFirst("Authorization"), token);
        if (denied != null || ackQuery || !ackEnabled) {
            return denied;
        }
        String channelId = channelOf(exchange);
        if (channelId == null) {
            return HecAnswer.of(400, 10, "Data channel is missing");
        }
        if (!GUID.matcher(channelId).matches()) {
            return HecAnswer.of(400, 11, "Invalid data channel");
        }
        return null;
    }

    private static HecAnswer authorize(String authorization, String token) {
        if (authorization == null || authorization.isBlank()) {
            return HecAnswer.of(401, 2, "Token is required");
        }
        if (!authorization.startsWith("Splunk ")) {
            return HecAnswer.of(401, 3, "Invalid authorization");
        }
        if (!authorization.substring("Splunk ".length()).trim().equals(token)) {
            return HecAnswer.of(403, 4, "Invalid token");
        }
        return null;
    }

    /** The request's channel: the header, else the {@code channel} query parameter; null when neither. */
    static String channelOf(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("X-Splunk-Request-Channel");
        if (header != null) {
            return header;
        }
        String query = exchange.getRequestURI().getQuery();
        if (query != null) {
            for (String parameter : query.split("&")) {
                if (parameter.startsWith("channel=")) {
                    return parameter.substring("channel=".length());
                }
            }
        }
        return null;
    }

    /** The request's headers, names in lower case, the first value of each. */
    static Map<String, String> headersOf(HttpExchange exchange) {
        Map<String, String> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
        return headers;
    }
}
