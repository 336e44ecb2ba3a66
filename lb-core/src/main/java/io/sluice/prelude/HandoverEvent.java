package io.sluice.prelude;

/**
 * User events fired through a client pipeline whose connection is being handed to another process
 * while still in its prelude. Prelude handlers with timers (ClientHello, PROXY header) stop them
 * on {@link #PAUSE}, so no timeout acts on a socket that may soon belong to the other process,
 * and start them again on {@link #RESUME} (the handover was aborted and this process keeps it).
 *
 * <p>Fired by {@code proxy.Connection}; it lives in this package rather than beside its sender
 * because the relay builds the prelude handlers, so they cannot depend on the relay.
 */
public enum HandoverEvent {
    PAUSE,
    RESUME
}
