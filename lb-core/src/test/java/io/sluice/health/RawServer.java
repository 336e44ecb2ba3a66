package io.sluice.health;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain blocking TCP server on loopback that counts what health checks do to it: accepted
 * connections, connections still open (the peer has not closed yet), the time of the last accept.
 * It can stop listening (connects are then refused) and listen again on the same port.
 */
final class RawServer implements AutoCloseable {

    enum Mode {
        /** Accept, never answer, read until the peer closes. */
        SILENT,
        /** Accept and close at once. */
        CLOSE,
        /** Accept, write bytes that are neither HTTP nor TLS, read until the peer closes. */
        GARBAGE
    }

    private final Mode mode;
    private final int port;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile long lastAcceptNanos = System.nanoTime();
    private volatile ServerSocket server;

    private RawServer(Mode mode) throws IOException {
        this.mode = mode;
        this.server = bind(0);
        this.port = server.getLocalPort();
        acceptLoop(server);
    }

    static RawServer start(Mode mode) throws IOException {
        return new RawServer(mode);
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    int accepted() {
        return accepted.get();
    }

    int openConnections() {
        return open.size();
    }

    long nanosSinceLastAccept() {
        return System.nanoTime() - lastAcceptNanos;
    }

    /** Closes the listening socket (and the open connections): connects are refused from now on. */
    void stopListening() throws IOException {
        server.close();
        closeOpen();
    }

    /** Listens again on the same port. */
    void listenAgain() throws IOException {
        server = bind(port);
        acceptLoop(server);
    }

    private static ServerSocket bind(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        return s;
    }

    private void acceptLoop(ServerSocket listening) {
        thread(() -> {
            while (!listening.isClosed()) {
                Socket s;
                try {
                    s = listening.accept();
                } catch (IOException closed) {
                    return;
                }
                accepted.incrementAndGet();
                lastAcceptNanos = System.nanoTime();
                if (mode == Mode.CLOSE) {
                    quietClose(s);
                    continue;
                }
                open.add(s);
                thread(() -> serve(s));
            }
        });
    }

    private void serve(Socket s) {
        try (s) {
            if (mode == Mode.GARBAGE) {
                s.getOutputStream().write("this is neither HTTP nor TLS, sorry\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
            }
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            while (in.read(buf) >= 0) {
                // discard until the peer closes
            }
        } catch (IOException ignored) {
            // reset by the peer: closed too
        } finally {
            open.remove(s);
        }
    }

    private static void thread(Runnable r) {
        Thread t = new Thread(r, "raw-server");
        t.setDaemon(true);
        t.start();
    }

    private void closeOpen() {
        for (Socket s : open) {
            quietClose(s);
        }
    }

    private static void quietClose(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        stopListening();
    }
}
