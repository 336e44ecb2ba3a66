import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * New-connection rate load tool for Sluice's benchmarks (run with `java bench/ConnRate.java ...`).
 *
 *   backend PORT                                   answers each connection's first bytes with "ok\n"
 *   client PORT SECONDS THREADS SNI                connect, send a real TLS ClientHello for SNI, read the
 *                                                  answer, close; prints connections per second
 *
 * Clients bind to 127.0.0.2..127.0.0.250 in turn so ephemeral ports do not run out. Loopback only;
 * every loop is bounded by SECONDS.
 */
public final class ConnRate {

    public static void main(String[] args) throws Exception {
        if (args[0].equals("backend")) {
            backend(Integer.parseInt(args[1]));
        } else {
            client(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), args[4]);
        }
    }

    static void backend(int port) throws Exception {
        ExecutorService pool = Executors.newCachedThreadPool();
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 4096);
            while (true) {
                Socket s = server.accept();
                pool.execute(() -> {
                    try (s) {
                        InputStream in = s.getInputStream();
                        byte[] buf = new byte[4096];
                        if (in.read(buf) > 0) {
                            s.getOutputStream().write("ok\n".getBytes());
                        }
                        while (in.read(buf) >= 0) {
                            // drain until the client closes
                        }
                    } catch (Exception ignored) {
                        // client went away
                    }
                });
            }
        }
    }

    static void client(int port, int seconds, int threads, String sni) throws Exception {
        byte[] hello = clientHello(sni);
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers[t] = new Thread(() -> {
                int n = 0;
                byte[] buf = new byte[64];
                while (System.nanoTime() < end) {
                    byte last = (byte) (2 + (id * 31 + n++) % 249);
                    try (Socket s = new Socket()) {
                        s.setSoTimeout(5000);
                        s.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, last}), 0));
                        s.connect(target, 5000);
                        OutputStream out = s.getOutputStream();
                        out.write(hello);
                        if (s.getInputStream().read(buf) > 0) {
                            done.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                }
            });
            workers[t].start();
        }
        for (Thread w : workers) {
            w.join();
        }
        System.out.printf("%.0f conn/s (%d ok, %d failed)%n", done.get() / (double) seconds, done.get(), failed.get());
    }

    /** A real ClientHello, as the JDK's TLS client would send it. */
    static byte[] clientHello(String sni) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, null, null);
        SSLEngine engine = ctx.createSSLEngine(sni, 443);
        engine.setUseClientMode(true);
        SSLParameters p = engine.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName(sni)));
        engine.setSSLParameters(p);
        engine.beginHandshake();
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] bytes = new byte[out.remaining()];
        out.get(bytes);
        return bytes;
    }
}
