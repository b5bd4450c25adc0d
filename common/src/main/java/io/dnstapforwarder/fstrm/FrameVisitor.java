package io.dnstapforwarder.fstrm;

import java.io.IOException;
import java.nio.ByteBuffer;

/** Receives the frames a {@link FrameDecoder} finds, in stream order. */
public interface FrameVisitor {

    /**
     * A data frame. The buffer is a view into the decoder's input and is only valid during this
     * call: copy what must outlive it.
     */
    void onDataFrame(ByteBuffer frame) throws IOException;

    void onControlFrame(ControlFrame frame) throws IOException;
}
