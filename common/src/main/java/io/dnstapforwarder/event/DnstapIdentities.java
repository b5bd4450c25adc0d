package io.dnstapforwarder.event;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.dnstapforwarder.dnstap.Dnstap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code identity} fields of a serialized dnstap message, read from its top-level tags
 * without building it (a length-delimited field is skipped in one step, so this costs a few
 * dozen bytes' reading however large the frame).
 *
 * <p>A frame may carry the field more than once. A protobuf parser keeps the last one, and that
 * is what the shipper renders as Splunk's {@code host} and what its shaping and per-server metrics
 * use: the identity of a frame is its <em>last</em> identity field, everywhere. Only a field of the
 * right wire type counts: protobuf puts one of another type among the unknown fields.
 */
public final class DnstapIdentities {

    private DnstapIdentities() {
    }

    /**
     * Every identity field of the frame (between position and limit; not moved), in order.
     *
     * @throws IOException when the frame's top level is not well-formed protobuf
     */
    public static List<ByteString> all(ByteBuffer frame) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(frame.duplicate());
        List<ByteString> identities = new ArrayList<>(1);
        int tag;
        while ((tag = in.readTag()) != 0) {
            if (WireFormat.getTagFieldNumber(tag) == Dnstap.IDENTITY_FIELD_NUMBER
                    && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                identities.add(in.readBytes());
            } else if (!in.skipField(tag)) {
                break; // an end-group tag at the top level: protobuf's parser stops there too
            }
        }
        return identities;
    }

    /** The frame's identity as a protobuf parser sees it (the last field), or {@code null} when it has none. */
    public static ByteString effective(ByteBuffer frame) throws IOException {
        List<ByteString> identities = all(frame);
        return identities.isEmpty() ? null : identities.get(identities.size() - 1);
    }
}
