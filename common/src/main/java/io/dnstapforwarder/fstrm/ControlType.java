package io.dnstapforwarder.fstrm;

/**
 * The Frame Streams control frame types and their wire values.
 *
 * <p>A receiver sees READY (bidirectional only), START, STOP from the sender and answers READY with
 * ACCEPT and STOP with FINISH. A sender sees only ACCEPT and FINISH.
 */
public enum ControlType {
    ACCEPT(1),
    START(2),
    STOP(3),
    READY(4),
    FINISH(5);

    private final int wireValue;

    ControlType(int wireValue) {
        this.wireValue = wireValue;
    }

    public int wireValue() {
        return wireValue;
    }

    /** Returns the type for a wire value, or {@code null} when the value is not a known type. */
    static ControlType fromWire(int value) {
        for (ControlType type : values()) {
            if (type.wireValue == value) {
                return type;
            }
        }
        return null;
    }
}
