package io.sluice.proxy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The relay's own debug log: per-connection events too frequent for INFO. */
final class RelayLog {

    private static final Logger log = LoggerFactory.getLogger("io.sluice.proxy");

    private RelayLog() {}

    /**
     * {@code format} with {@code a} and the cause's one-line text (no stack trace: a reset is routine).
     * The text is built only when DEBUG is on: every TLS client that closes with unread data resets
     * its connection, so this runs about once per connection under TLS load.
     */
    static void debugCause(String format, Object a, Throwable cause) {
        if (log.isDebugEnabled()) {
            log.debug(format, a, String.valueOf(cause));
        }
    }
}
