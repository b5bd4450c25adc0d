package io.dnstapforwarder.shipper.hec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResponseClassifierTest {

    @ParameterizedTest(name = "HTTP {0} {1} -> {2} {3}")
    @CsvSource(delimiter = '|', value = {
        "200 | {\"text\":\"Success\",\"code\":0}                                              | Delivered      | none",
        "200 | ''                                                                              | Misconfigured  | not_hec",
        "200 | <html>Welcome to our proxy</html>                                               | Misconfigured  | not_hec",
        "204 | ''                                                                              | Misconfigured  | not_hec",
        "400 | {\"text\":\"Invalid data format\",\"code\":6,\"invalid-event-number\":3}        | Rejected       | hec_6",
        "400 | {\"text\":\"No data\",\"code\":5}                                                | Rejected       | hec_5",
        "400 | {\"text\":\"Incorrect index\",\"code\":7,\"invalid-event-number\":0}            | Misconfigured  | hec_7",
        "400 | {\"text\":\"Event field is required\",\"code\":12,\"invalid-event-number\":1}   | Rejected       | hec_12",
        "400 | {\"text\":\"Event field cannot be blank\",\"code\":13,\"invalid-event-number\":1}| Rejected      | hec_13",
        "400 | {\"text\":\"Error in handling indexed fields\",\"code\":15}                      | Rejected       | hec_15",
        "403 | {\"text\":\"Token disabled\",\"code\":1}                                         | Misconfigured  | hec_1",
        "401 | {\"text\":\"Token is required\",\"code\":2}                                      | Misconfigured  | hec_2",
        "401 | {\"text\":\"Invalid authorization\",\"code\":3}                                  | Misconfigured  | hec_3",
        "403 | {\"text\":\"Invalid token\",\"code\":4}                                          | Misconfigured  | hec_4",
        "400 | {\"text\":\"Data channel is missing\",\"code\":10}                               | Misconfigured  | hec_10",
        "400 | {\"text\":\"Invalid data channel\",\"code\":11}                                  | Misconfigured  | hec_11",
        "400 | {\"text\":\"ACK is disabled\",\"code\":14}                                        | Misconfigured  | hec_14",
        "500 | {\"text\":\"Internal server error\",\"code\":8}                                  | Retryable      | hec_8",
        "503 | {\"text\":\"Server is busy\",\"code\":9}                                         | Retryable      | hec_9",
        "503 | {\"text\":\"HEC is unhealthy, queues are full\",\"code\":18}                     | Retryable      | hec_18",
        "429 | Too Many Requests                                                               | Retryable      | http_429",
        "408 | ''                                                                              | Retryable      | http_408",
        "502 | <html>Bad Gateway</html>                                                        | Retryable      | http_502",
        "504 | ''                                                                              | Retryable      | http_504",
        "501 | ''                                                                              | Misconfigured  | http_501",
        "404 | <html>Not Found</html>                                                          | Misconfigured  | http_404",
        "301 | ''                                                                              | Misconfigured  | http_301",
        "413 | Request Entity Too Large                                                        | TooLarge       | http_413",
        "413 | {\"text\":\"Content too large\",\"code\":8}                                   | TooLarge       | http_413",
        "400 | not json                                                                        | Misconfigured  | http_400",
        "400 | <html>Bad Request</html>                                                        | Misconfigured  | http_400"})
    void classifiesAsVectorAndSplunkDo(int status, String body, String kind, String errorCode) {
        Outcome outcome = ResponseClassifier.classify(status, body, null);

        assertThat(outcome.getClass().getSimpleName()).isEqualTo(kind);
        assertThat(outcome.errorCode()).isEqualTo(errorCode);
    }

    @Test
    void keepsTheNumberOfTheEventHecNamed() {
        Outcome outcome = ResponseClassifier.classify(400,
                "{\"text\":\"Invalid data format\",\"code\":6,\"invalid-event-number\":3}", null);

        assertThat(outcome).isEqualTo(new Outcome.Rejected("HTTP 400: Invalid data format", "hec_6", 3));
    }

    @Test
    void keepsTheAckIdOfASuccess() {
        assertThat(ResponseClassifier.classify(200, "{\"text\":\"Success\",\"code\":0,\"ackId\":42}", null))
                .isEqualTo(new Outcome.Delivered(42));
    }

    @Test
    void carriesRetryAfterIntoTheRetry() {
        Outcome outcome = ResponseClassifier.classify(429, "", ResponseClassifier.retryAfter("7"));

        assertThat(outcome).isEqualTo(new Outcome.Retryable("HTTP 429", "http_429", Duration.ofSeconds(7)));
    }

    @Test
    void readsRetryAfterSecondsAndIgnoresWhatItCannotRead() {
        assertThat(ResponseClassifier.retryAfter("3")).isEqualTo(Duration.ofSeconds(3));
        assertThat(ResponseClassifier.retryAfter(" 12 ")).isEqualTo(Duration.ofSeconds(12));
        assertThat(ResponseClassifier.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isNull();
        assertThat(ResponseClassifier.retryAfter("-5")).isNull();
        assertThat(ResponseClassifier.retryAfter(null)).isNull();
    }

    @Test
    void waitsNoLongerThanFiveMinutesHoweverLongTheServerAsks() {
        assertThat(ResponseClassifier.retryAfter("3600")).isEqualTo(Duration.ofMinutes(5));
        assertThat(ResponseClassifier.retryAfter("9223372036854775807")).isEqualTo(Duration.ofMinutes(5));
        assertThat(ResponseClassifier.retryAfter("99999999999999999999999")).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void keepsAProxysPageToOneShortLineInTheReason() {
        Outcome outcome = ResponseClassifier.classify(400, "<html>\n<body>" + "x".repeat(10_000) + "</body></html>", null);

        assertThat(((Outcome.Misconfigured) outcome).reason()).hasSizeLessThan(260).doesNotContain("\n");
    }
}
