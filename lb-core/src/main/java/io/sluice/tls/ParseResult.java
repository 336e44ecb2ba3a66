package io.sluice.tls;

import java.util.Objects;

/** Outcome of {@link ClientHelloParser#parse}: wait for more bytes, a parsed ClientHello, or a refusal. */
public sealed interface ParseResult permits ParseResult.NeedMore, ParseResult.Hello, ParseResult.Refused {

    /** The shared {@link NeedMore} instance the parser returns. */
    NeedMore NEED_MORE = new NeedMore();

    /** The bytes so far are a valid prefix of a ClientHello; call again when more have arrived. */
    record NeedMore() implements ParseResult {
    }

    /** A complete, well-formed ClientHello. */
    record Hello(ClientHelloInfo info) implements ParseResult {
        public Hello {
            Objects.requireNonNull(info, "info");
        }
    }

    /**
     * The connection must be refused.
     *
     * @param detail short human text for debug logs (never parse it; use {@code reason} for decisions)
     */
    record Refused(TlsRefusal reason, String detail) implements ParseResult {
        public Refused {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
