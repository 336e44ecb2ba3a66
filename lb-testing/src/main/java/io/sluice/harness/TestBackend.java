package io.sluice.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real TCP backend on loopback for tests: one thread per connection, plain blocking sockets, so
 * it shares no code with the daemon under test.
 *
 * <p>By default it says its name ({@code name\n}) on connect and then echoes every byte; when the
 * client half-closes, it finishes echoing and half-closes too. Tests that need other behaviour pass
 * a {@link Behaviour}.
 */
public final class TestBackend implements AutoCloseable {

    /** What the backend does with one accepted connection (runs on its own thread). */
    @FunctionalInterface
    public interface Behaviour {
        void serve(Socket socket, TestBackend backend) throws IOException;
    }

    private final String name;
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-backend");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Behaviour behaviour;

    private TestBackend(String name, Behaviour behaviour) throws IOException {
        this(name, behaviour, 0);
    }

    private TestBackend(String name, Behaviour behaviour, int port) throws IOException {
        this.name = name;
        this.behaviour = behaviour;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        threads.execute(this::acceptLoop);
    }

    /** A backend that says its name, then echoes. */
    public static TestBackend namedEcho(String name) throws IOException {
        return new TestBackend(name, TestBackend::greetAndEcho);
    }

    /**
     * A backend that says its name, then echoes, on loopback port {@code port} (SO_REUSEADDR): to
     * bring a closed backend back on the port a daemon's config already names.
     */
    public static TestBackend namedEchoOn(String name, int port) throws IOException {
        return new TestBackend(name, TestBackend::greetAndEcho, port);
    }

    public static TestBackend with(String name, Behaviour behaviour) throws IOException {
        return new TestBackend(name, behaviour);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            open.add(s);
            try {
                threads.execute(() -> {
                    try (s) {
                        behaviour.serve(s, this);
                    } catch (IOException ignored) {
                        // the client or the proxy went away; that is what many tests do
                    } finally {
                        open.remove(s);
                    }
                });
            } catch (RejectedExecutionException stopping) {
                // close() shut the threads down between this accept and its hand-off: the backend is
                // stopping and the connection goes with it. Thrown on, the exception would reach
                // Awaitility's handler of uncaught exceptions and fail whichever test was waiting.
                open.remove(s);
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
                return;
            }
        }
    }

    private static void greetAndEcho(Socket s, TestBackend self) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write((self.name + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[65536];
        int n;
        while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
        }
        s.shutdownOutput();
    }

    public String name() {
        return name;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    /** Connections open now. */
    public int openConnections() {
        return open.size();
    }

    /** Resets every open connection (SO_LINGER 0), as a crashing server would. */
    public void abortAll() {
        for (Socket s : open) {
            try {
                s.setSoLinger(true, 0);
                s.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        threads.shutdownNow();
    }
}
