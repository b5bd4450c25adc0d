package io.dnstapforwarder.shipper.hec;

/**
 * Splunk HEC's status codes (the {@code code} of a response body), and what each means for a
 * sender: delivered, a problem with the data (dead-letter it), a problem with our configuration
 * (stop, alert, retry slowly; never dead-letter), or a transient condition (retry).
 */
public enum HecCode {
    SUCCESS(0, "Success", Kind.DELIVERED),
    TOKEN_DISABLED(1, "Token disabled", Kind.CONFIGURATION),
    TOKEN_REQUIRED(2, "Token is required", Kind.CONFIGURATION),
    INVALID_AUTHORIZATION(3, "Invalid authorization", Kind.CONFIGURATION),
    INVALID_TOKEN(4, "Invalid token", Kind.CONFIGURATION),
    NO_DATA(5, "No data", Kind.DATA),
    INVALID_DATA_FORMAT(6, "Invalid data format", Kind.DATA),
    // The index is ours to choose (--hec-index): a typo must not send the whole stream to the DLQ.
    INCORRECT_INDEX(7, "Incorrect index", Kind.CONFIGURATION),
    INTERNAL_SERVER_ERROR(8, "Internal server error", Kind.TRANSIENT),
    SERVER_BUSY(9, "Server is busy", Kind.TRANSIENT),
    DATA_CHANNEL_MISSING(10, "Data channel is missing", Kind.CONFIGURATION),
    INVALID_DATA_CHANNEL(11, "Invalid data channel", Kind.CONFIGURATION),
    EVENT_FIELD_REQUIRED(12, "Event field is required", Kind.DATA),
    EVENT_FIELD_BLANK(13, "Event field cannot be blank", Kind.DATA),
    ACK_DISABLED(14, "ACK is disabled", Kind.CONFIGURATION),
    INDEXED_FIELDS_ERROR(15, "Error in handling indexed fields", Kind.DATA),
    QUERY_STRING_AUTHORIZATION_DISABLED(16, "Query string authorization is not enabled", Kind.CONFIGURATION),
    HEALTHY(17, "HEC is healthy", Kind.DELIVERED),
    UNHEALTHY_QUEUES_FULL(18, "HEC is unhealthy, queues are full", Kind.TRANSIENT),
    UNHEALTHY_ACK_UNAVAILABLE(19, "HEC is unhealthy, ack service unavailable", Kind.TRANSIENT),
    UNHEALTHY_QUEUES_FULL_ACK_UNAVAILABLE(20, "HEC is unhealthy, queues are full, ack service unavailable", Kind.TRANSIENT);

    /** What a code means for the sender. */
    public enum Kind {
        DELIVERED,
        /** The events are at fault: retrying cannot help. */
        DATA,
        /** Our token, channel or settings are at fault: fix the configuration; data must wait. */
        CONFIGURATION,
        /** Splunk is busy or failing: retry later. */
        TRANSIENT
    }

    private final int code;
    private final String text;
    private final Kind kind;

    HecCode(int code, String text, Kind kind) {
        this.code = code;
        this.text = text;
        this.kind = kind;
    }

    public int code() {
        return code;
    }

    /** Splunk's own wording. */
    public String text() {
        return text;
    }

    public Kind kind() {
        return kind;
    }

    /** The enum constant for a code, or {@code null} for a code this build does not know. */
    public static HecCode of(int code) {
        for (HecCode value : values()) {
            if (value.code == code) {
                return value;
            }
        }
        return null;
    }
}
