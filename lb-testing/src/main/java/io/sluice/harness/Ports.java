package io.sluice.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Loopback ports for tests that must name a port before something binds it (a config file, a
 * daemon process, a handover). Anything that can bind port 0 and report its address should do that
 * instead: a port found here is free only until someone else takes it.
 *
 * <p>Thread-safe: no state.
 */
public final class Ports {

    private Ports() {}

    /** A loopback port that was free a moment ago (bound and released). */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    /**
     * A loopback address nothing listens on now, so a connect to it is refused: for a backend that is
     * down or a registry that is unreachable.
     */
    public static InetSocketAddress deadAddress() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), freePort());
    }
}
