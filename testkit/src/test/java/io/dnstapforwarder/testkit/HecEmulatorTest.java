package io.dnstapforwarder.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HecEmulatorTest {

    private static final String TOKEN = "00000000-0000-0000-0000-000000000001";
    private static final String CHANNEL = "11111111-2222-3333-4444-555555555555";
    private final HttpClient http = HttpClient.newHttpClient();
    private HecEmulator hec = HecEmulator.start(TOKEN);

    @AfterEach
    void stop() {
        hec.close();
    }

    @Test
    void acceptsGzippedConcatenatedEventsWithTheRightToken() throws Exception {
        HttpResponse<String> response = post("/services/collector/event", "Splunk " + TOKEN,
                gzip("{\"time\":1.5,\"event\":{\"a\":1}}\n{\"event\":\"text\",\"sourcetype\":\"dnstap\"}"), "gzip", null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"text\":\"Success\",\"code\":0}");
        assertThat(hec.events()).hasSize(2);
        assertThat(hec.events().get(0).at("/event/a").asInt()).isEqualTo(1);
        assertThat(hec.requests().get(0).header("Content-Encoding")).isEqualTo("gzip");
    }

    @Test
    void refusesRequestsWithoutTheRightTokenAsSplunkDoes() throws Exception {
        byte[] body = "{\"event\":1}".getBytes(StandardCharsets.UTF_8);

        assertResponse(post("/services/collector/event", null, body, null, null), 401, "{\"text\":\"Token is required\",\"code\":2}");
        assertResponse(post("/services/collector/event", "Basic abc", body, null, null), 401,
                "{\"text\":\"Invalid authorization\",\"code\":3}");
        assertResponse(post("/services/collector/event", "Splunk wrong", body, null, null), 403,
                "{\"text\":\"Invalid token\",\"code\":4}");
        assertThat(hec.eventCount()).isZero();
    }

    @Test
    void indexesTheEventsBeforeABadOneAndNamesTheBadOne() throws Exception {
        HttpResponse<String> response = post("/services/collector/event", "Splunk " + TOKEN,
                "{\"event\":\"first\"}{\"time\":2}{\"event\":\"third\"}".getBytes(StandardCharsets.UTF_8), null, null);

        assertResponse(response, 400, "{\"text\":\"Event field is required\",\"code\":12,\"invalid-event-number\":1}");
        assertThat(hec.events()).hasSize(1);
        assertThat(hec.events().get(0).get("event").asText()).isEqualTo("first");
    }

    @Test
    void rejectsBlankEventsMalformedJsonAndEmptyBodies() throws Exception {
        assertResponse(postPlain("{\"event\":\"  \"}"), 400,
                "{\"text\":\"Event field cannot be blank\",\"code\":13,\"invalid-event-number\":0}");
        assertResponse(postPlain("{\"event\":null}"), 400,
                "{\"text\":\"Event field cannot be blank\",\"code\":13,\"invalid-event-number\":0}");
        assertResponse(postPlain("{\"event\":1}{\"event\":"), 400,
                "{\"text\":\"Invalid data format\",\"code\":6,\"invalid-event-number\":1}");
        assertResponse(postPlain("[1,2]"), 400, "{\"text\":\"Invalid data format\",\"code\":6,\"invalid-event-number\":0}");
        assertResponse(postPlain("{\"event\":1,\"time\":\"noon\"}"), 400,
                "{\"text\":\"Invalid data format\",\"code\":6,\"invalid-event-number\":0}");
        assertResponse(postPlain("{\"event\":1,\"host\":7}"), 400,
                "{\"text\":\"Invalid data format\",\"code\":6,\"invalid-event-number\":0}");
        assertResponse(postPlain("{\"event\":1,\"fields\":{\"a\":{\"b\":1}}}"), 400,
                "{\"text\":\"Error in handling indexed fields\",\"code\":15,\"invalid-event-number\":0}");
        assertResponse(postPlain("  \n"), 400, "{\"text\":\"No data\",\"code\":5}");
        assertThat(hec.eventCount()).isEqualTo(1);
    }

    @Test
    void rejectsAnIndexTheTokenMayNotWriteTo() throws Exception {
        hec.close();
        hec = HecEmulator.builder().token(TOKEN).allowedIndexes(Set.of("dns")).start();

        assertResponse(postPlain("{\"event\":1,\"index\":\"dns\"}{\"event\":2,\"index\":\"main\"}"), 400,
                "{\"text\":\"Incorrect index\",\"code\":7,\"invalid-event-number\":1}");
        assertThat(hec.eventCount()).isEqualTo(1);
    }

    @Test
    void servesScriptedFailuresFirstInOrder() throws Exception {
        hec.respondServerBusy(1);
        hec.respondTooManyRequests(1, 3);

        assertResponse(postPlain("{\"event\":1}"), 503, "{\"text\":\"Server is busy\",\"code\":9}");
        HttpResponse<String> throttled = postPlain("{\"event\":1}");
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).hasValue("3");
        assertResponse(postPlain("{\"event\":1}"), 200, "{\"text\":\"Success\",\"code\":0}");
        assertThat(hec.eventCount()).isEqualTo(1);
    }

    @Test
    void refusesConnectionsWhileStoppedAndComesBackOnTheSamePort() throws Exception {
        URI before = hec.url();
        hec.stop();

        assertThatThrownBy(() -> postPlain("{\"event\":1}")).isInstanceOf(ConnectException.class);

        hec.start();
        assertThat(hec.url()).isEqualTo(before);
        assertResponse(postPlain("{\"event\":1}"), 200, "{\"text\":\"Success\",\"code\":0}");
    }

    @Test
    void requiresAChannelAndIssuesAcksWhenAcknowledgementIsOn() throws Exception {
        hec.close();
        hec = HecEmulator.builder().token(TOKEN).ackEnabled(true).start();
        byte[] event = "{\"event\":1}".getBytes(StandardCharsets.UTF_8);
        byte[] ackQuery = "{\"acks\":[0,1,7]}".getBytes(StandardCharsets.UTF_8);

        assertResponse(post("/services/collector/event", "Splunk " + TOKEN, event, null, null), 400,
                "{\"text\":\"Data channel is missing\",\"code\":10}");
        assertResponse(post("/services/collector/event", "Splunk " + TOKEN, event, null, "not-a-guid"), 400,
                "{\"text\":\"Invalid data channel\",\"code\":11}");
        assertResponse(post("/services/collector/event", "Splunk " + TOKEN, event, null, CHANNEL), 200,
                "{\"text\":\"Success\",\"code\":0,\"ackId\":0}");
        hec.holdAcks(true);
        assertResponse(post("/services/collector/event", "Splunk " + TOKEN, event, null, CHANNEL), 200,
                "{\"text\":\"Success\",\"code\":0,\"ackId\":1}");
        assertResponse(post("/services/collector/ack", "Splunk " + TOKEN, ackQuery, null, CHANNEL), 200,
                "{\"acks\":{\"0\":false,\"1\":false,\"7\":false}}");
        hec.holdAcks(false);
        assertResponse(post("/services/collector/ack", "Splunk " + TOKEN, ackQuery, null, CHANNEL), 200,
                "{\"acks\":{\"0\":true,\"1\":true,\"7\":false}}");
        assertResponse(post("/services/collector/ack", "Splunk " + TOKEN, ackQuery, null, CHANNEL), 200,
                "{\"acks\":{\"0\":false,\"1\":false,\"7\":false}}");
    }

    @Test
    void saysAckIsDisabledWhenItIs() throws Exception {
        assertResponse(post("/services/collector/ack", "Splunk " + TOKEN, "{\"acks\":[0]}".getBytes(StandardCharsets.UTF_8),
                null, CHANNEL), 400, "{\"text\":\"ACK is disabled\",\"code\":14}");
    }

    @Test
    void answersHealthAndUnknownPaths() throws Exception {
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(hec.url().resolve("/services/collector/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertResponse(health, 200, "{\"text\":\"HEC is healthy\",\"code\":17}");
        assertThat(post("/services/other", "Splunk " + TOKEN, new byte[1], null, null).statusCode()).isEqualTo(404);
    }

    private HttpResponse<String> postPlain(String body) throws Exception {
        return post("/services/collector/event", "Splunk " + TOKEN, body.getBytes(StandardCharsets.UTF_8), null, null);
    }

    private HttpResponse<String> post(String path, String authorization, byte[] body, String encoding, String channel)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(hec.url().resolve(path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (encoding != null) {
            request.header("Content-Encoding", encoding);
        }
        if (channel != null) {
            request.header("X-Splunk-Request-Channel", channel);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertResponse(HttpResponse<String> response, int status, String body) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.body()).isEqualTo(body);
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }
}
