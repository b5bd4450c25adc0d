package io.dnstapforwarder.fstrm;

import java.util.List;

/**
 * A decoded Frame Streams control frame: its type and the CONTENT_TYPE fields it carries.
 *
 * @param type the control type
 * @param contentTypes the content types in the order sent; empty when the frame carries none
 */
public record ControlFrame(ControlType type, List<String> contentTypes) {

    public ControlFrame {
        contentTypes = List.copyOf(contentTypes);
    }

    public static ControlFrame of(ControlType type, String... contentTypes) {
        return new ControlFrame(type, List.of(contentTypes));
    }

    /** True when the frame names {@code contentType}, or names none at all (which means "any"). */
    public boolean allows(String contentType) {
        return contentTypes.isEmpty() || contentTypes.contains(contentType);
    }
}
