package io.dnstapforwarder.shipper.render;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;

/**
 * The names of the HEC event's fields, encoded once: the JSON writer then copies bytes instead of
 * escaping the same forty names for every event. Also the one list of the names this contract uses.
 */
final class HecFields {

    // The HEC envelope.
    static final SerializableString TIME = name("time");
    static final SerializableString HOST = name("host");
    static final SerializableString SOURCE = name("source");
    static final SerializableString SOURCETYPE = name("sourcetype");
    static final SerializableString INDEX = name("index");
    static final SerializableString EVENT = name("event");

    // From dnstap.
    static final SerializableString DNSTAP_TYPE = name("dnstap_type");
    static final SerializableString MESSAGE_TYPE = name("message_type");
    static final SerializableString IDENTITY = name("identity");
    static final SerializableString VERSION = name("version");
    static final SerializableString EXTRA = name("extra");
    static final SerializableString SOCKET_FAMILY = name("socket_family");
    static final SerializableString TRANSPORT = name("transport");
    static final SerializableString HTTP_PROTOCOL = name("http_protocol");
    static final SerializableString SRC = name("src");
    static final SerializableString SRC_PORT = name("src_port");
    static final SerializableString DEST = name("dest");
    static final SerializableString DEST_PORT = name("dest_port");
    static final SerializableString QUERY_TIMESTAMP = name("query_timestamp");
    static final SerializableString RESPONSE_TIMESTAMP = name("response_timestamp");
    static final SerializableString DURATION = name("duration");
    static final SerializableString QUERY_ZONE = name("query_zone");
    static final SerializableString QUERY_ZONE_RAW = name("query_zone_raw");
    static final SerializableString POLICY = name("policy");
    static final SerializableString RULE = name("rule");
    static final SerializableString ACTION = name("action");
    static final SerializableString MATCH = name("match");
    static final SerializableString VALUE = name("value");

    // From the DNS message.
    static final SerializableString MESSAGE_SIZE = name("message_size");
    static final SerializableString TRANSACTION_ID = name("transaction_id");
    static final SerializableString OPCODE = name("opcode");
    static final SerializableString FLAGS = name("flags");
    static final SerializableString QUERY = name("query");
    static final SerializableString QUERY_TYPE = name("query_type");
    static final SerializableString QUERY_CLASS = name("query_class");
    static final SerializableString QUERY_COUNT = name("query_count");
    static final SerializableString REPLY_CODE = name("reply_code");
    static final SerializableString REPLY_CODE_ID = name("reply_code_id");
    static final SerializableString ANSWER = name("answer");
    static final SerializableString TTL = name("ttl");
    static final SerializableString RECORD_TYPE = name("record_type");
    static final SerializableString ANSWER_COUNT = name("answer_count");
    static final SerializableString AUTHORITY_ANSWER_COUNT = name("authority_answer_count");
    static final SerializableString ADDITIONAL_ANSWER_COUNT = name("additional_answer_count");
    static final SerializableString ANSWERS = name("answers");
    static final SerializableString AUTHORITY = name("authority");
    static final SerializableString ADDITIONAL = name("additional");
    static final SerializableString NAME = name("name");
    static final SerializableString TYPE = name("type");
    static final SerializableString CLASS = name("class");
    static final SerializableString RDATA = name("rdata");
    static final SerializableString EDNS = name("edns");
    static final SerializableString UDP_SIZE = name("udp_size");
    static final SerializableString DO = name("do");
    static final SerializableString OPTIONS = name("options");
    static final SerializableString CODE = name("code");
    static final SerializableString DATA = name("data");
    static final SerializableString ECS = name("ecs");
    static final SerializableString PARSE_ERROR = name("parse_error");
    static final SerializableString RAW_MESSAGE = name("raw_message");
    static final SerializableString RAW_FRAME = name("raw_frame");

    // From the collector's envelope.
    static final SerializableString COLLECTOR = name("collector");
    static final SerializableString COLLECTOR_PEER = name("collector_peer");
    static final SerializableString CONNECTION_ID = name("connection_id");
    static final SerializableString RECEIVED_AT = name("received_at");

    private HecFields() {
    }

    /** A string encoded once for JSON, for a value written again and again. */
    static SerializableString name(String text) {
        SerializedString encoded = new SerializedString(text);
        encoded.asQuotedUTF8(); // encode now, not on first use on the hot path
        encoded.asUnquotedUTF8();
        return encoded;
    }
}
