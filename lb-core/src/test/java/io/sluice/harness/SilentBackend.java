package io.sluice.harness;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A listening socket nobody accepts from, its accept queue full: the kernel drops further SYNs, so
 * a connect to it neither succeeds nor fails (what a host that went away looks like). The test
 * that opens one is skipped where the queue cannot be filled. Test thread only.
 */
public final class SilentBackend implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> fillers = new ArrayList<>();

    private SilentBackend() throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    }

    public static SilentBackend open() throws IOException {
        SilentBackend silent = new SilentBackend();
        boolean full = silent.fillQueue();
        if (!full) {
            silent.close();
        }
        assumeTrue(full, "could not fill an accept queue here");
        return silent;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** Connects until a connect hangs: true once the queue is full. */
    private boolean fillQueue() throws IOException {
        for (int i = 0; i < 16; i++) {
            Socket s = new Socket();
            try {
                s.connect(server.getLocalSocketAddress(), 200);
                fillers.add(s);
            } catch (SocketTimeoutException full) {
                s.close();
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        for (Socket f : fillers) {
            f.close();
        }
        server.close();
    }
}
