package io.dnstapforwarder.shipper.render;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;

/**
 * The JSON encoding of the last byte string seen (an identity, a version, a collector id): a
 * stream carries the same one for millions of events, so it is encoded once and reused while it
 * repeats. Not thread-safe.
 */
final class EncodedText {

    private ByteString bytes;
    private byte[] encoded;

    byte[] of(ByteString value) {
        if (!value.equals(bytes)) {
            bytes = value;
            encoded = JsonWriter.quoted(new String(value.toByteArray(), StandardCharsets.UTF_8));
        }
        return encoded;
    }
}
