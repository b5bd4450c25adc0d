package io.dnstapforwarder.shipper.render.dns;

/** Whole numbers as decimal digits written into a caller's buffer: every event has a dozen of them. */
public final class Decimal {

    /** The longest text of a long: a sign and 19 digits. */
    public static final int MAX_CHARS = 20;

    private Decimal() {
    }

    /** Writes {@code value} into {@code out} from {@code at}; returns where it ends. */
    public static int write(long value, char[] out, int at) {
        if (value == Long.MIN_VALUE) {
            String text = Long.toString(value); // the one value whose negation overflows
            text.getChars(0, text.length(), out, at);
            return at + text.length();
        }
        if (value < 0) {
            out[at++] = '-';
            value = -value;
        }
        int digits = 1;
        for (long rest = value / 10; rest > 0; rest /= 10) {
            digits++;
        }
        for (int i = at + digits - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
        return at + digits;
    }
}
