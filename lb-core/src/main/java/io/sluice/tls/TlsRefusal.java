package io.sluice.tls;

/**
 * Why a connection on a TLS-routed listener was refused before a backend was chosen. Each value has
 * a stable lowercase {@link #word()} used as a metric tag and in logs; never rename a word.
 */
public enum TlsRefusal {
    /** The first byte is neither a TLS handshake record (22) nor an SSLv2 header, e.g. HTTP on a TLS port. */
    NOT_TLS("not-tls"),
    /** An SSLv2-compatible ClientHello (first byte has the high bit set, message type 1 at byte 2). */
    SSLV2_HELLO("sslv2-hello"),
    /** Record or handshake framing, or the ClientHello structure, is invalid. */
    MALFORMED("malformed"),
    /** The ClientHello, or the bytes buffered while waiting for it, exceed the configured limit. */
    TOO_LARGE("too-large"),
    /** The client did not complete its ClientHello in time (produced by the handler, not the parser). */
    TIMEOUT("timeout"),
    /** The ClientHello was parsed but no route matched (produced by the handler, not the parser). */
    NO_ROUTE("no-route");

    private final String word;

    TlsRefusal(String word) {
        this.word = word;
    }

    /** The stable lowercase name used in metrics and logs. */
    public String word() {
        return word;
    }
}
