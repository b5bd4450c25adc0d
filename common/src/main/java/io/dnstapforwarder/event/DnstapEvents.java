package io.dnstapforwarder.event;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;

/** Names shared by the collector and the shipper for what travels through Kafka, and how to read it. */
public final class DnstapEvents {

    /** The Frame Streams content type of dnstap, as DNS servers announce it. */
    public static final String DNSTAP_CONTENT_TYPE = "protobuf:dnstap.Dnstap";

    /** Kafka record header naming the schema of the record value. */
    public static final String SCHEMA_HEADER = "dnstap.schema";

    /** Value of {@link #SCHEMA_HEADER}: the fully qualified protobuf name of {@link DnstapEvent}. */
    public static final String SCHEMA = DnstapEvent.getDescriptor().getFullName();

    private DnstapEvents() {
    }

    /**
     * Parses an envelope from a Kafka record value without copying the frame: it stays a view of
     * {@code value}, which must therefore not change while the envelope is in use.
     */
    public static DnstapEvent parse(byte[] value) throws InvalidProtocolBufferException {
        CodedInputStream in = CodedInputStream.newInstance(value);
        in.enableAliasing(true);
        return DnstapEvent.parser().parseFrom(in);
    }
}
