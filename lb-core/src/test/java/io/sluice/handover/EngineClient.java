package io.sluice.handover;

import io.sluice.harness.TlsClients;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * A JDK TLS 1.3 client driven by hand over a plain blocking socket, so a test can send its
 * ClientHello in pieces: {@link #clientHello()} is the engine's first flight, which the test writes
 * however it likes; {@link #finishHandshake()} then carries on with the same engine. Bounded: every
 * loop has a step limit, every read the socket's timeout.
 */
final class EngineClient {

    private final Socket socket;
    private final SSLEngine engine;
    private final ByteBuffer netIn;
    private final ByteBuffer netOut;
    private ByteBuffer appIn;
    private final byte[] hello;

    EngineClient(Socket socket, String sni) throws SSLException {
        this.socket = socket;
        this.engine = TlsClients.trustAll().createSSLEngine(sni, 443);
        engine.setUseClientMode(true);
        SSLParameters p = engine.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName(sni)));
        p.setProtocols(new String[] {"TLSv1.3"});
        engine.setSSLParameters(p);
        int packet = engine.getSession().getPacketBufferSize();
        this.netIn = ByteBuffer.allocate(packet * 4);
        this.netOut = ByteBuffer.allocate(packet * 4);
        this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize() * 2);
        engine.beginHandshake();
        SSLEngineResult r = engine.wrap(ByteBuffer.allocate(0), netOut);
        if (r.getStatus() != SSLEngineResult.Status.OK || netOut.position() == 0) {
            throw new SSLException("no ClientHello from the first wrap: " + r);
        }
        this.hello = Arrays.copyOf(netOut.array(), netOut.position());
        netOut.clear();
    }

    /** The ClientHello record(s) the engine produced first, not yet sent. */
    byte[] clientHello() {
        return hello.clone();
    }

    /** After the test has sent all of {@link #clientHello()}: the rest of the handshake. */
    void finishHandshake() throws IOException {
        for (int steps = 0; steps < 1000; steps++) {
            SSLEngineResult.HandshakeStatus hs = engine.getHandshakeStatus();
            switch (hs) {
                case NEED_WRAP -> {
                    SSLEngineResult r = engine.wrap(ByteBuffer.allocate(0), netOut);
                    check(r);
                    send();
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> unwrapOnce();
                case NEED_TASK -> {
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run();
                    }
                }
                case FINISHED, NOT_HANDSHAKING -> {
                    return;
                }
                default -> throw new IllegalStateException(hs.toString());
            }
        }
        throw new IOException("handshake did not finish in 1000 steps");
    }

    /** The CN of the certificate the server presented. */
    String peerName() throws IOException {
        X509Certificate cert = (X509Certificate) engine.getSession().getPeerCertificates()[0];
        return cert.getSubjectX500Principal().getName().replaceFirst("^CN=", "");
    }

    void write(String text) throws IOException {
        ByteBuffer src = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        for (int steps = 0; src.hasRemaining() && steps < 1000; steps++) {
            check(engine.wrap(src, netOut));
            send();
        }
    }

    /** One line of application data (without its {@code \n}); null at EOF. */
    String readLine() throws IOException {
        for (int steps = 0; steps < 10_000; steps++) {
            for (int i = 0; i < appIn.position(); i++) {
                if (appIn.get(i) == '\n') {
                    String line = new String(appIn.array(), 0, i, StandardCharsets.UTF_8);
                    appIn.flip().position(i + 1);
                    appIn.compact();
                    return line;
                }
            }
            if (!unwrapOnce()) {
                return null;
            }
        }
        throw new IOException("no line in 10000 steps");
    }

    /** Unwraps one record, reading from the socket until a whole one is there; false at EOF. */
    private boolean unwrapOnce() throws IOException {
        for (int steps = 0; steps < 1000; steps++) {
            netIn.flip();
            SSLEngineResult r = engine.unwrap(netIn, appIn);
            netIn.compact();
            switch (r.getStatus()) {
                case OK -> {
                    return true;
                }
                case CLOSED -> {
                    return false;
                }
                case BUFFER_OVERFLOW -> {
                    ByteBuffer bigger = ByteBuffer.allocate(appIn.capacity() * 2);
                    appIn.flip();
                    bigger.put(appIn);
                    appIn = bigger;
                }
                case BUFFER_UNDERFLOW -> {
                    InputStream in = socket.getInputStream();
                    byte[] buf = new byte[netIn.remaining()];
                    int n = in.read(buf); // bounded by the socket's read timeout
                    if (n < 0) {
                        return false;
                    }
                    netIn.put(buf, 0, n);
                }
                default -> throw new IllegalStateException(r.toString());
            }
        }
        throw new IOException("unwrap made no progress in 1000 steps");
    }

    private void send() throws IOException {
        netOut.flip();
        OutputStream out = socket.getOutputStream();
        out.write(netOut.array(), 0, netOut.limit());
        out.flush();
        netOut.clear();
    }

    private static void check(SSLEngineResult r) throws SSLException {
        if (r.getStatus() != SSLEngineResult.Status.OK) {
            throw new SSLException("wrap: " + r);
        }
    }
}
