package io.sluice.accesslog;

/**
 * Appends JSON string values to a {@link StringBuilder}, escaped exactly as Jackson's generator
 * escapes them with its default features (which the access log used before issue 13; tests compare
 * the two on random strings): {@code "} and {@code \} with a backslash, the control characters
 * U+0008, U+0009, U+000A, U+000C and U+000D as {@code \b \t \n \f \r}, the other characters below
 * U+0020 as a backslash, {@code u00} and two upper-case hex digits, and everything else as it is (U+007F,
 * non-ASCII, and unpaired surrogates too: the encoder that turns the line into UTF-8 decides about
 * those, for both writers alike). A {@code null} value is the literal {@code null}, as Jackson's
 * {@code writeStringField} writes it.
 *
 * <p>Why not Jackson: a generator, its writer and its buffers per line cost the event loop that
 * closes the connection more than the line itself (docs/performance.md, "Round 4").
 *
 * <p>Threads: stateless; any thread, each with its own builder.
 */
final class JsonText {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** For characters below 128: 0 = as it is, -1 = the six-character escape, else the letter after the backslash. */
    private static final byte[] ESCAPES = new byte[128];

    static {
        for (int c = 0; c < 0x20; c++) {
            ESCAPES[c] = -1;
        }
        ESCAPES['"'] = '"';
        ESCAPES['\\'] = '\\';
        ESCAPES['\b'] = 'b';
        ESCAPES['\t'] = 't';
        ESCAPES['\n'] = 'n';
        ESCAPES['\f'] = 'f';
        ESCAPES['\r'] = 'r';
    }

    private JsonText() {}

    /** {@code ,"name":"value"} after an earlier field; {@code name} is a constant that needs no escaping. */
    static void field(StringBuilder out, String name, String value) {
        name(out, name);
        string(out, value);
    }

    /** {@code ,"name":value}, the number in decimal as Jackson writes a long. */
    static void field(StringBuilder out, String name, long value) {
        name(out, name);
        out.append(value);
    }

    private static void name(StringBuilder out, String name) {
        out.append(",\"").append(name).append("\":");
    }

    /** The quoted, escaped value, or {@code null}. */
    static void string(StringBuilder out, String value) {
        if (value == null) {
            out.append("null");
            return;
        }
        out.append('"');
        int length = value.length();
        int plain = 0; // start of the run of characters not yet appended, appended in one call
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c >= ESCAPES.length || ESCAPES[c] == 0) {
                continue;
            }
            out.append(value, plain, i);
            plain = i + 1;
            int escape = ESCAPES[c];
            out.append('\\');
            if (escape > 0) {
                out.append((char) escape);
            } else {
                out.append("u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        out.append(value, plain, length).append('"');
    }
}
