package io.sluice.proxy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The relay's own debug log: per-connection events too frequent for INFO. */
final class RelayLog {

    private static final Logger log = LoggerFactory.getLogger("io.sluice.proxy");

    private RelayLog() {}

    static void debug(String format, Object a, Object b) {
        if (log.isDebugEnabled()) {
            log.debug(format, a, b);
        }
    }
}
