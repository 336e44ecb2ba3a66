package io.sluice.proxy;

/**
 * What one process tells another about a connection it hands over (docs/handover.md). The
 * descriptors travel beside it (SCM_RIGHTS), the pending bytes in the same frame.
 *
 * @param id             the sender's number for it, echoed in the acknowledgement
 * @param established    true: client and backend sockets, relaying. False: only the client socket,
 *                       still in its prelude (PROXY header or ClientHello sniff); the receiver
 *                       replays {@code replayBytes} through a fresh pipeline
 * @param listener       the listener that accepted it
 * @param client         ip:port of the client (from a trusted PROXY header when there was one)
 * @param destination    ip:port it connected to
 * @param pool           the pool it was routed to (established only)
 * @param backend        the backend it is relayed to (established only)
 * @param serverName     its SNI, or null
 * @param startNanos     when it was accepted, on the host's monotonic clock (both processes share it)
 * @param pausedNanos    when the sender stopped reading it (same clock): the receiver measures the pause
 * @param bytesUp        client to backend bytes so far
 * @param bytesDown      backend to client bytes so far
 * @param clientFinSeen  the client half-closed (its FIN was, or is to be, passed on)
 * @param backendFinSeen the backend half-closed
 * @param toClientBytes  bytes read from the backend and not yet written to the client
 * @param toBackendBytes bytes read from the client and not yet written to the backend
 * @param replayBytes    prelude only: every byte the client sent so far
 */
public record ConnectionImage(
        long id,
        boolean established,
        String listener,
        String client,
        String destination,
        String pool,
        String backend,
        String serverName,
        long startNanos,
        long pausedNanos,
        long bytesUp,
        long bytesDown,
        boolean clientFinSeen,
        boolean backendFinSeen,
        int toClientBytes,
        int toBackendBytes,
        int replayBytes) {

    /** Descriptors that travel with it: client, then backend when established. */
    public int descriptorCount() {
        return established ? 2 : 1;
    }
}
