package io.sluice.health;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.ssl.NotSslRecordException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.nio.channels.ClosedChannelException;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * The words a check result is reported with. A small fixed set (plus "http NNN"), because the
 * daemon uses them as a metric tag: never an exception message, which could be anything.
 */
final class CheckResults {

    static final String OK = "ok";
    static final String REFUSED = "refused";
    static final String TIMEOUT = "timeout";
    static final String UNREACHABLE = "unreachable";
    static final String RESET = "reset";
    static final String CLOSED = "closed";
    static final String ERROR = "error";
    static final String HTTP_BAD_RESPONSE = "http: bad status line";
    static final String TLS_NOT_TLS = "tls: not tls";
    static final String TLS_UNTRUSTED = "tls: untrusted certificate";
    static final String TLS_CLOSED = "tls: closed";
    static final String TLS_FAILED = "tls: handshake failed";

    private CheckResults() {
    }

    /** An HTTP status outside the expected range. */
    static String http(int status) {
        return "http " + status;
    }

    /** A connect or IO failure. */
    static String of(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return TIMEOUT;
        }
        if (cause instanceof NoRouteToHostException) {
            return UNREACHABLE;
        }
        if (cause instanceof ConnectException) {
            // Epoll says "connect(..) failed: Connection refused", NIO "Connection refused".
            return contains(cause, "refused") ? REFUSED : UNREACHABLE;
        }
        if (cause instanceof ClosedChannelException) {
            return CLOSED;
        }
        if (cause instanceof IOException && contains(cause, "reset")) {
            return RESET;
        }
        return ERROR;
    }

    /** A failed TLS handshake. */
    static String tls(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof NotSslRecordException) {
                return TLS_NOT_TLS;
            }
            if (t instanceof CertificateException || t instanceof CertPathValidatorException
                    || t instanceof CertPathBuilderException) {
                return TLS_UNTRUSTED;
            }
            if (t instanceof ClosedChannelException) {
                return TLS_CLOSED;
            }
            if (t instanceof SSLException && t.getCause() == null && contains(t, "closed")) {
                return TLS_CLOSED;
            }
            if (t instanceof GeneralSecurityException && contains(t, "PKIX")) {
                return TLS_UNTRUSTED;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        String plain = of(cause);
        return plain.equals(ERROR) ? TLS_FAILED : plain;
    }

    private static boolean contains(Throwable t, String word) {
        String message = t.getMessage();
        return message != null && message.toLowerCase(Locale.ROOT).contains(word);
    }
}
