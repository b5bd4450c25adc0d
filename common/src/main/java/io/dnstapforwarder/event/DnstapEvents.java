package io.dnstapforwarder.event;

/** Names shared by the collector and the shipper for what travels through Kafka. */
public final class DnstapEvents {

    /** The Frame Streams content type of dnstap, as DNS servers announce it. */
    public static final String DNSTAP_CONTENT_TYPE = "protobuf:dnstap.Dnstap";

    /** Kafka record header naming the schema of the record value. */
    public static final String SCHEMA_HEADER = "dnstap.schema";

    /** Value of {@link #SCHEMA_HEADER}: the fully qualified protobuf name of {@link DnstapEvent}. */
    public static final String SCHEMA = DnstapEvent.getDescriptor().getFullName();

    private DnstapEvents() {
    }
}
