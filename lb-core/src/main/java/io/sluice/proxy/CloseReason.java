package io.sluice.proxy;

/**
 * Why a client connection ended: the {@code close_reason} of the access log and the {@code reason}
 * tag of {@code sluice_connections_closed_total}. The first cause recorded wins.
 */
public enum CloseReason {
    /** The client finished first (FIN); the backend's answer was relayed until it closed too. */
    CLIENT_CLOSE("client-close"),
    /** The backend finished first (FIN); the client's remaining data was relayed until it closed too. */
    BACKEND_CLOSE("backend-close"),
    /** The client reset or broke the connection; the backend connection was reset. */
    CLIENT_ABORT("client-abort"),
    /** The backend reset or broke the connection; the client connection was reset. */
    BACKEND_ABORT("backend-abort"),
    /** Neither side sent anything for {@code timeouts.idle}. */
    IDLE_TIMEOUT("idle-timeout"),
    /** Still open when {@code timeouts.shutdown-grace} ran out during shutdown. */
    SHUTDOWN("shutdown"),
    /** Closed by an operator or a drain deadline. */
    ADMIN("admin"),
    /** The pool had no eligible backend. */
    NO_BACKEND("no-backend"),
    /** Every connect attempt (1 + retries) failed. */
    CONNECT_FAILED("connect-failed"),
    /** Over {@code limits.max-connections}. */
    OVER_LIMIT("over-limit"),
    /** Over {@code limits.max-connections-per-source}. */
    OVER_SOURCE_LIMIT("over-source-limit"),
    /** A tls listener refused the client before routing it (the detail is in sluice_tls_refused_total). */
    TLS_REFUSED("tls-refused"),
    /** A trusted upstream sent no valid PROXY protocol header in time. */
    PROXY_HEADER_INVALID("proxy-header-invalid"),
    /**
     * Handed to a new Sluice process during an upgrade (docs/handover.md): not an end for the client,
     * only for this process's share of it. Counted here, never access-logged here.
     */
    HANDED_OVER("handed-over");

    private final String word;

    CloseReason(String word) {
        this.word = word;
    }

    /** The word used in logs and metrics. */
    public String word() {
        return word;
    }

    @Override
    public String toString() {
        return word;
    }
}
