package io.sluice.harness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/** Blocking loopback clients for tests, optionally bound to a chosen source address (127.0.0.x). */
public final class Clients {

    /** Every read in tests gives up after this; a hang fails the test instead of the build. */
    public static final int READ_TIMEOUT_MILLIS = 10_000;

    private Clients() {}

    public static Socket connect(InetSocketAddress target) throws IOException {
        return connect(target, null);
    }

    /** Connects from {@code source} (null: any) with a read timeout. */
    public static Socket connect(InetSocketAddress target, InetAddress source) throws IOException {
        Socket s = new Socket();
        s.setSoTimeout(READ_TIMEOUT_MILLIS);
        if (source != null) {
            s.bind(new InetSocketAddress(source, 0));
        }
        s.connect(target, READ_TIMEOUT_MILLIS);
        return s;
    }

    /** 127.0.0.{@code last}, a distinct client source address on loopback. */
    public static InetAddress loopback(int last) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Reads one {@code \n}-terminated line (without it); null at EOF before any byte. */
    public static String readLine(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            line.write(b);
        }
        if (b < 0 && line.size() == 0) {
            return null;
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    /**
     * Connects until a connection lands on {@code backend} (by its greeting) and returns it open;
     * the others are closed. Bounded by {@code attempts}; null if none landed there.
     */
    public static Socket connectTo(InetSocketAddress proxy, String backend, int attempts) throws IOException {
        for (int i = 0; i < attempts; i++) {
            Socket s = connect(proxy);
            if (backend.equals(readLine(s))) {
                return s;
            }
            s.close();
        }
        return null;
    }

    /** Connects, reads the backend's greeting (its name), closes. */
    public static String backendNameVia(InetSocketAddress proxy, InetAddress source) throws IOException {
        try (Socket s = connect(proxy, source)) {
            return readLine(s);
        }
    }

    public static String backendNameVia(InetSocketAddress proxy) throws IOException {
        return backendNameVia(proxy, null);
    }
}
