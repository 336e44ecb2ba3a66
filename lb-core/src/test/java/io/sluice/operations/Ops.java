package io.sluice.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.harness.Clients;
import io.sluice.harness.Ports;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Socket helpers shared by the operations tests. */
final class Ops {

    private Ops() {}

    /** A connection through the daemon that has read its backend's greeting. */
    record Held(Socket socket, String backend) implements AutoCloseable {
        /** One echo round trip; fails the test if it does not come back whole. */
        void echo(String text) throws IOException {
            socket.getOutputStream().write((text + "\n").getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            assertEquals(text, Clients.readLine(socket), "echo through " + backend);
        }

        /**
         * Whether the daemon ended this connection: EOF or a reset. Blocks up to the socket's read
         * timeout; returns false only if data arrived instead.
         */
        boolean awaitClosedByPeer() throws IOException {
            InputStream in = socket.getInputStream();
            try {
                return in.read() < 0;
            } catch (SocketTimeoutException e) {
                throw new AssertionError("connection to " + backend + " was not closed within the read timeout", e);
            } catch (SocketException reset) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    static Held open(InetSocketAddress proxy) throws IOException {
        return open(proxy, null);
    }

    static Held open(InetSocketAddress proxy, InetAddress source) throws IOException {
        Socket s = Clients.connect(proxy, source);
        String name = Clients.readLine(s);
        if (name == null) {
            s.close();
            throw new AssertionError("the daemon closed the connection before a backend greeted");
        }
        return new Held(s, name);
    }

    /** {@code n} short connections; the backend names they reached, in order. */
    static List<String> namesOf(InetSocketAddress proxy, int n) throws IOException {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add(Clients.backendNameVia(proxy));
        }
        return names;
    }

    /** A loopback port nothing listens on now (bound and released; connects to it are refused). */
    static int deadPort() {
        return Ports.freePort();
    }

    static InetSocketAddress deadAddress() {
        return Ports.deadAddress();
    }

    /** Whether a connect to {@code address} is refused. */
    static boolean refuses(InetSocketAddress address) {
        try (Socket s = new Socket()) {
            s.connect(address, 1000);
            return false;
        } catch (IOException refused) {
            return true;
        }
    }

    /** Open file descriptors of this process (the daemon runs in it), or -1 where /proc is missing. */
    static int openFds() {
        String[] entries = new File("/proc/self/fd").list();
        return entries == null ? -1 : entries.length;
    }
}
