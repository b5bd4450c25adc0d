package io.dnstapforwarder.shipper.render;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.dnstapforwarder.shipper.render.dns.Decimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * JSON text written straight into a growable byte array: the renderer's output, one event at a
 * time. Not thread-safe.
 *
 * <p>Why not Jackson's {@code JsonGenerator}, which this replaced: an event has about 45 fields,
 * and the generator's work per call (its output context, separators, a separate copy for each
 * pre-encoded name) was 40 % of the time of rendering an event (async-profiler on
 * {@code RenderBenchmark}). The renderer writes a fixed shape, so this writer keeps no context:
 * it only knows whether a separator is due. Escaping stays Jackson's: a string that is not all
 * printable ASCII without quote or backslash goes through {@link JsonStringEncoder}.
 */
final class JsonWriter {

    private final char[] digits = new char[Decimal.MAX_CHARS];
    private byte[] bytes;
    private int length;
    /** Whether the last thing written was a value, so that the next value or field needs a comma. */
    private boolean afterValue;

    JsonWriter(int initialCapacity) {
        this.bytes = new byte[initialCapacity];
    }

    /** A field name encoded once, for {@link #field}: {@code "name":}. */
    static byte[] key(String name) {
        byte[] quoted = quoted(name);
        byte[] key = Arrays.copyOf(quoted, quoted.length + 1);
        key[quoted.length] = ':';
        return key;
    }

    /** A string value encoded once, for {@link #value(byte[])}: {@code "text"} with escapes. */
    static byte[] quoted(String text) {
        byte[] escaped = escapedUtf8(text);
        byte[] quoted = new byte[escaped.length + 2];
        quoted[0] = '"';
        System.arraycopy(escaped, 0, quoted, 1, escaped.length);
        quoted[quoted.length - 1] = '"';
        return quoted;
    }

    /** Forgets what was written: the next event starts at the beginning. */
    void reset() {
        length = 0;
        afterValue = false;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes, length);
    }

    void startObject() {
        open('{');
    }

    void endObject() {
        close('}');
    }

    void startArray() {
        open('[');
    }

    void endArray() {
        close(']');
    }

    /** A field's name, from {@link #key}; its value comes next. */
    void field(byte[] key) {
        ensure(key.length + 1);
        separate();
        copy(key);
        afterValue = false;
    }

    /** A string value encoded once, from {@link #quoted}. */
    void value(byte[] quoted) {
        ensure(quoted.length + 1);
        separate();
        copy(quoted);
        afterValue = true;
    }

    /**
     * Fields written before by another writer ({@code "a":1,"b":"x"}, from its {@link #toByteArray}),
     * copied as they are; nothing when there are none.
     */
    void fields(byte[] written) {
        if (written.length == 0) {
            return;
        }
        ensure(written.length + 1);
        separate();
        copy(written);
        afterValue = true;
    }

    /** {@code field} and the list of {@code values}; nothing when there are none. */
    void strings(byte[] field, List<String> values) {
        if (values.isEmpty()) {
            return;
        }
        field(field);
        startArray();
        for (String value : values) {
            string(value);
        }
        endArray();
    }

    void string(String text) {
        ensure(text.length() + 3);
        separate();
        int start = length;
        bytes[length++] = '"';
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!plain(c)) {
                length = start;
                afterValue = false;
                writeEscaped(text);
                return;
            }
            bytes[length++] = (byte) c;
        }
        bytes[length++] = '"';
        afterValue = true;
    }

    void string(char[] text, int offset, int count) {
        ensure(count + 3);
        separate();
        int start = length;
        bytes[length++] = '"';
        for (int i = offset; i < offset + count; i++) {
            char c = text[i];
            if (!plain(c)) {
                length = start;
                afterValue = false;
                writeEscaped(new String(text, offset, count));
                return;
            }
            bytes[length++] = (byte) c;
        }
        bytes[length++] = '"';
        afterValue = true;
    }

    void number(long value) {
        number(digits, 0, Decimal.write(value, digits, 0));
    }

    /** A number already written as text, e.g. by {@link EpochTime}: digits, a sign, a point. */
    void number(char[] text, int offset, int count) {
        ensure(count + 1);
        separate();
        for (int i = offset; i < offset + count; i++) {
            bytes[length++] = (byte) text[i];
        }
        afterValue = true;
    }

    void bool(boolean value) {
        ensure(6);
        separate();
        ascii(value ? "true" : "false");
        afterValue = true;
    }

    private void open(char bracket) {
        ensure(2);
        separate();
        bytes[length++] = (byte) bracket;
        afterValue = false;
    }

    private void close(char bracket) {
        ensure(1);
        bytes[length++] = (byte) bracket;
        afterValue = true;
    }

    private void separate() {
        if (afterValue) {
            bytes[length++] = ',';
        }
    }

    private void copy(byte[] encoded) {
        System.arraycopy(encoded, 0, bytes, length, encoded.length);
        length += encoded.length;
    }

    private void ascii(String text) {
        for (int i = 0; i < text.length(); i++) {
            bytes[length++] = (byte) text.charAt(i);
        }
    }

    /** The slow path: a string with characters to escape or to encode in more than one byte. */
    private void writeEscaped(String text) {
        value(quoted(text));
    }

    /** Printable ASCII that JSON takes as it is. */
    private static boolean plain(char c) {
        return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
    }

    /**
     * Jackson's escapes, then UTF-8; a lone surrogate (which no decoder of UTF-8 produces) becomes
     * {@code ?} instead of failing the event.
     */
    private static byte[] escapedUtf8(String text) {
        return new String(JsonStringEncoder.getInstance().quoteAsString(text)).getBytes(StandardCharsets.UTF_8);
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}
