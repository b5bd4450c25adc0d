package io.dnstapforwarder.shipper.render;

/**
 * The names of the HEC event's fields, encoded once ({@code "name":}): the JSON writer then copies
 * bytes instead of escaping the same forty names for every event. Also the one list of the names
 * this contract uses.
 */
final class HecFields {

    // The HEC envelope.
    static final byte[] TIME = JsonWriter.key("time");
    static final byte[] HOST = JsonWriter.key("host");
    static final byte[] SOURCE = JsonWriter.key("source");
    static final byte[] SOURCETYPE = JsonWriter.key("sourcetype");
    static final byte[] INDEX = JsonWriter.key("index");
    static final byte[] FIELDS = JsonWriter.key("fields");
    static final byte[] EVENT = JsonWriter.key("event");

    // From dnstap.
    static final byte[] DNSTAP_TYPE = JsonWriter.key("dnstap_type");
    static final byte[] MESSAGE_TYPE = JsonWriter.key("message_type");
    static final byte[] IDENTITY = JsonWriter.key("identity");
    static final byte[] VERSION = JsonWriter.key("version");
    static final byte[] EXTRA = JsonWriter.key("extra");
    static final byte[] SOCKET_FAMILY = JsonWriter.key("socket_family");
    static final byte[] TRANSPORT = JsonWriter.key("transport");
    static final byte[] HTTP_PROTOCOL = JsonWriter.key("http_protocol");
    static final byte[] SRC = JsonWriter.key("src");
    static final byte[] SRC_PORT = JsonWriter.key("src_port");
    static final byte[] DEST = JsonWriter.key("dest");
    static final byte[] DEST_PORT = JsonWriter.key("dest_port");
    static final byte[] QUERY_TIMESTAMP = JsonWriter.key("query_timestamp");
    static final byte[] RESPONSE_TIMESTAMP = JsonWriter.key("response_timestamp");
    static final byte[] DURATION = JsonWriter.key("duration");
    static final byte[] DURATION_ERROR = JsonWriter.key("duration_error");
    static final byte[] RESPONSE_TIME = JsonWriter.key("response_time");
    static final byte[] TIME_ERROR = JsonWriter.key("time_error");
    static final byte[] QUERY_ZONE = JsonWriter.key("query_zone");
    static final byte[] QUERY_ZONE_RAW = JsonWriter.key("query_zone_raw");
    static final byte[] POLICY = JsonWriter.key("policy");
    static final byte[] RULE = JsonWriter.key("rule");
    static final byte[] ACTION = JsonWriter.key("action");
    static final byte[] MATCH = JsonWriter.key("match");
    static final byte[] VALUE = JsonWriter.key("value");

    // From pairing a query with its response.
    static final byte[] TRANSACTION = JsonWriter.key("transaction");
    static final byte[] TRANSACTION_ERROR = JsonWriter.key("transaction_error");
    static final byte[] QUERY_SIZE = JsonWriter.key("query_size");
    static final byte[] RESPONSE_SIZE = JsonWriter.key("response_size");

    // From the DNS message.
    static final byte[] MESSAGE_SIZE = JsonWriter.key("message_size");
    static final byte[] TRANSACTION_ID = JsonWriter.key("transaction_id");
    static final byte[] OPCODE = JsonWriter.key("opcode");
    static final byte[] FLAGS = JsonWriter.key("flags");
    static final byte[] QUERY = JsonWriter.key("query");
    static final byte[] QUERY_TYPE = JsonWriter.key("query_type");
    static final byte[] QUERY_CLASS = JsonWriter.key("query_class");
    static final byte[] QUERY_REGISTERED_DOMAIN = JsonWriter.key("query_registered_domain");
    static final byte[] QUERY_PUBLIC_SUFFIX = JsonWriter.key("query_public_suffix");
    static final byte[] QUERY_UNICODE = JsonWriter.key("query_unicode");
    static final byte[] ANSWER_REGISTERED_DOMAIN = JsonWriter.key("answer_registered_domain");
    static final byte[] QUERY_LENGTH = JsonWriter.key("query_length");
    static final byte[] QUERY_LABELS = JsonWriter.key("query_labels");
    static final byte[] QUERY_LONGEST_LABEL = JsonWriter.key("query_longest_label");
    static final byte[] QUERY_DIGITS_RATIO = JsonWriter.key("query_digits_ratio");
    static final byte[] QUERY_SUBDOMAIN_ENTROPY = JsonWriter.key("query_subdomain_entropy");
    static final byte[] QUERY_SUSPICIOUS = JsonWriter.key("query_suspicious");
    static final byte[] PSEUDONYM_KEY = JsonWriter.key("pseudonym_key");
    static final byte[] EVENT_ID = JsonWriter.key("event_id");
    static final byte[] SRC_COUNTRY = JsonWriter.key("src_country");
    static final byte[] SRC_ASN = JsonWriter.key("src_asn");
    static final byte[] SRC_AS_ORG = JsonWriter.key("src_as_org");
    static final byte[] ANSWER_COUNTRY = JsonWriter.key("answer_country");
    static final byte[] ANSWER_ASN = JsonWriter.key("answer_asn");
    static final byte[] ANSWER_AS_ORG = JsonWriter.key("answer_as_org");
    static final byte[] QUERY_COUNT = JsonWriter.key("query_count");
    static final byte[] REPLY_CODE = JsonWriter.key("reply_code");
    static final byte[] REPLY_CODE_ID = JsonWriter.key("reply_code_id");
    static final byte[] ANSWER = JsonWriter.key("answer");
    static final byte[] TTL = JsonWriter.key("ttl");
    static final byte[] RECORD_TYPE = JsonWriter.key("record_type");
    static final byte[] ANSWER_COUNT = JsonWriter.key("answer_count");
    static final byte[] AUTHORITY_ANSWER_COUNT = JsonWriter.key("authority_answer_count");
    static final byte[] ADDITIONAL_ANSWER_COUNT = JsonWriter.key("additional_answer_count");
    static final byte[] ANSWERS = JsonWriter.key("answers");
    static final byte[] AUTHORITY = JsonWriter.key("authority");
    static final byte[] ADDITIONAL = JsonWriter.key("additional");
    static final byte[] NAME = JsonWriter.key("name");
    static final byte[] TYPE = JsonWriter.key("type");
    static final byte[] CLASS = JsonWriter.key("class");
    static final byte[] RDATA = JsonWriter.key("rdata");
    static final byte[] EDNS = JsonWriter.key("edns");
    static final byte[] UDP_SIZE = JsonWriter.key("udp_size");
    static final byte[] DO = JsonWriter.key("do");
    static final byte[] OPTIONS = JsonWriter.key("options");
    static final byte[] CODE = JsonWriter.key("code");
    static final byte[] DATA = JsonWriter.key("data");
    static final byte[] ECS = JsonWriter.key("ecs");
    static final byte[] PARSE_ERROR = JsonWriter.key("parse_error");
    static final byte[] RAW_MESSAGE = JsonWriter.key("raw_message");
    static final byte[] RAW_FRAME = JsonWriter.key("raw_frame");

    // From the collector's envelope.
    static final byte[] COLLECTOR = JsonWriter.key("collector");
    static final byte[] COLLECTOR_PEER = JsonWriter.key("collector_peer");
    static final byte[] COLLECTOR_PEER_CERTIFICATE = JsonWriter.key("collector_peer_certificate");
    static final byte[] CONNECTION_ID = JsonWriter.key("connection_id");
    static final byte[] RECEIVED_AT = JsonWriter.key("received_at");
    static final byte[] SAMPLE_RATE = JsonWriter.key("sample_rate");

    private HecFields() {
    }
}
