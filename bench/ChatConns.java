import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;

/**
 * Chat-like load for bench/handover.sh: many long-lived connections, each sending a small timestamped
 * ping every second and timing its echo. One file, no dependencies: `java bench/ChatConns.java ...`
 * (handover.sh compiles it once with javac). Its echo backend is bench/IdleConns.java's.
 *
 * <pre>
 *   chat PORT N DIR MAX_SECONDS [PERIOD_MS]
 *       Opens N connections to 127.0.0.1:PORT (at most 200 connects in flight), source addresses
 *       127.0.0.2 .. 127.0.0.50 in turn. Every connection then sends a 16-byte ping (connection id,
 *       sequence number, send time) every PERIOD_MS (default 1000), the connections' phases spread
 *       evenly over the period, and checks each echo (same id, the next sequence number). Prints
 *           READY n=N ms=T            once every connection has had one echo back
 *       The handover window is marked by the caller with the files DIR/window-start and
 *       DIR/window-end (looked at every 20 ms). A ping belongs to the window when it was sent before
 *       the end and its echo came (or was still awaited) after the start. On DIR/stop (or at
 *       MAX_SECONDS) it closes everything and prints one line:
 *           RESULT n=N failed=F window_ms=W pings=P window_pings=WP lost=L
 *                  before_p50_ms= before_p99_ms= before_max_ms=
 *                  window_p50_ms= window_p99_ms= window_max_ms= conn_max_p99_ms= slow100=S
 *       failed: connections closed by the far end, reset, or with a wrong or missing echo (a ping
 *       still unanswered after 5 s); conn_max_p99: the p99 over connections of each one's longest
 *       ping-to-echo time in the window (the client-observed stall); slow100: connections whose
 *       longest was over 100 ms. Then FAILED lines (at most 20) with the reason per failed
 *       connection. Exit status 0, or 3 when a connection failed or not all were ready in time.
 * </pre>
 *
 * Loopback only; every wait is bounded by MAX_SECONDS.
 */
public final class ChatConns {

    private static final int MSG = 16;

    public static void main(String[] args) throws Exception {
        if (args.length >= 5 && args[0].equals("chat")) {
            int period = args.length > 5 ? Integer.parseInt(args[5]) : 1000;
            System.exit(chat(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Path.of(args[3]),
                    Integer.parseInt(args[4]), period));
        } else {
            System.err.println("usage: ChatConns chat PORT N DIR MAX_SECONDS [PERIOD_MS] (the echo backend is IdleConns echo PORT)");
            System.exit(2);
        }
    }

    // ---------------------------------------------------------------- chat clients

    static final class Conn {
        final int id;
        final SocketChannel ch;
        SelectionKey key;
        boolean connected;
        boolean ready;          // first echo back
        String failed;          // reason, or null
        int sent;               // pings sent
        int received;           // echoes received (they come back in order)
        final long[] sentAt = new long[8];   // ring of send times of outstanding pings
        final ByteBuffer in = ByteBuffer.allocate(256);
        ByteBuffer out;         // a ping the socket did not take whole
        long windowMax;         // longest ping-to-echo in the window, ns

        Conn(int id, SocketChannel ch) {
            this.id = id;
            this.ch = ch;
        }
    }

    /** Growable array of longs (latencies in ns). */
    static final class Longs {
        long[] a = new long[1024];
        int n;

        void add(long v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        String ms(double q) {
            if (n == 0) {
                return "-";
            }
            long[] s = Arrays.copyOf(a, n);
            Arrays.sort(s);
            int i = (int) Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1));
            return String.format("%.1f", s[i] / 1e6);
        }
    }

    static int chat(int port, int n, Path dir, int maxSeconds, int periodMs) throws IOException {
        long start = System.nanoTime();
        long deadline = start + maxSeconds * 1_000_000_000L;
        long period = periodMs * 1_000_000L;
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        Selector selector = Selector.open();
        Conn[] conns = new Conn[n];
        int opened = 0;
        int inFlight = 0;
        int readyCount = 0;
        boolean readyPrinted = false;
        long t0 = 0;            // when the ping schedule starts
        long round = 0;         // ping schedule: (round, next) is the next ping due
        int next = 0;
        long windowStart = Long.MAX_VALUE;
        long windowEnd = Long.MAX_VALUE;
        long lastFileCheck = 0;
        Longs before = new Longs();
        Longs window = new Longs();
        long pings = 0;
        long windowPings = 0;
        long lost = 0;
        ByteBuffer ping = ByteBuffer.allocate(MSG);

        while (System.nanoTime() < deadline) {
            long now = System.nanoTime();
            // open more connections, at most 200 connects in flight
            while (opened < n && inFlight < 200) {
                SocketChannel ch = SocketChannel.open();
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                int i = opened;
                try {
                    ch.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (2 + i % 49)}), 0));
                    Conn c = new Conn(i, ch);
                    conns[i] = c;
                    if (ch.connect(target)) {
                        c.connected = true;
                        c.key = ch.register(selector, SelectionKey.OP_READ, c);
                        sendPing(c, ping, now);
                    } else {
                        c.key = ch.register(selector, SelectionKey.OP_CONNECT, c);
                        inFlight++;
                    }
                } catch (IOException e) {
                    Conn c = conns[i] != null ? conns[i] : new Conn(i, ch);
                    conns[i] = c;
                    c.failed = "connect: " + e;
                }
                opened++;
            }
            if (now - lastFileCheck > 20_000_000L) {
                lastFileCheck = now;
                if (windowStart == Long.MAX_VALUE && Files.exists(dir.resolve("window-start"))) {
                    windowStart = now;
                }
                if (windowStart != Long.MAX_VALUE && windowEnd == Long.MAX_VALUE && Files.exists(dir.resolve("window-end"))) {
                    windowEnd = now;
                }
                if (Files.exists(dir.resolve("stop"))) {
                    break;
                }
                // a ping unanswered for 5 s fails its connection
                if (readyPrinted) {
                    for (Conn c : conns) {
                        if (c.failed == null && c.sent > c.received && now - c.sentAt[c.received & 7] > 5_000_000_000L) {
                            c.failed = "no echo for 5 s (ping " + c.received + ")";
                            close(c);
                        }
                    }
                }
            }
            // pings due (only once every connection is ready: setup first, then the schedule)
            long wait = 20;
            if (readyPrinted) {
                while (true) {
                    long due = t0 + round * period + (long) next * period / n;
                    if (due > now) {
                        wait = Math.max(1, Math.min(20, (due - now) / 1_000_000L));
                        break;
                    }
                    Conn c = conns[next];
                    if (c.failed == null && c.out == null) {
                        if (c.sent - c.received >= 8) {
                            // 8 outstanding: do not overwrite the ring; the 5 s check will fail it
                        } else {
                            try {
                                sendPing(c, ping, now);
                                pings++;
                            } catch (IOException e) {
                                c.failed = "send: " + e;
                                close(c);
                            }
                        }
                    }
                    if (++next == n) {
                        next = 0;
                        round++;
                    }
                }
            }
            selector.select(wait);
            now = System.nanoTime();
            Iterator<SelectionKey> it = selector.selectedKeys().iterator();
            while (it.hasNext()) {
                SelectionKey key = it.next();
                it.remove();
                Conn c = (Conn) key.attachment();
                if (c.failed != null) {
                    continue;
                }
                try {
                    if (key.isConnectable()) {
                        inFlight--;
                        c.ch.finishConnect();
                        c.connected = true;
                        key.interestOps(SelectionKey.OP_READ);
                        sendPing(c, ping, now);
                        continue;
                    }
                    if (key.isWritable() && c.out != null) {
                        c.ch.write(c.out);
                        if (!c.out.hasRemaining()) {
                            c.out = null;
                            key.interestOps(SelectionKey.OP_READ);
                        }
                    }
                    if (key.isReadable()) {
                        int r = c.ch.read(c.in);
                        if (r < 0) {
                            c.failed = "closed by the far end after " + c.received + " echoes";
                            close(c);
                            continue;
                        }
                        c.in.flip();
                        while (c.in.remaining() >= MSG) {
                            int id = c.in.getInt();
                            int seq = c.in.getInt();
                            long sentNs = c.in.getLong();
                            if (id != c.id || seq != c.received || sentNs != c.sentAt[seq & 7]) {
                                c.failed = "wrong echo: id " + id + " seq " + seq + ", expected id " + c.id + " seq " + c.received;
                                break;
                            }
                            c.received++;
                            long lat = now - sentNs;
                            if (!c.ready) {
                                c.ready = true;
                                readyCount++;
                            } else if (sentNs < windowEnd && now >= windowStart) {
                                window.add(lat);
                                windowPings++;
                                c.windowMax = Math.max(c.windowMax, lat);
                            } else if (windowStart == Long.MAX_VALUE) {
                                before.add(lat);
                            }
                        }
                        c.in.compact();
                        if (c.failed != null) {
                            close(c);
                        }
                    }
                } catch (IOException e) {
                    if (!c.connected) {
                        inFlight--;
                    }
                    c.failed = (c.connected ? "" : "connect: ") + e;
                    close(c);
                }
            }
            if (!readyPrinted) {
                int settled = 0;
                for (int i = 0; i < opened; i++) {
                    if (conns[i].ready || conns[i].failed != null) {
                        settled++;
                    }
                }
                if (opened == n && settled == n) {
                    readyPrinted = true;
                    System.out.printf("READY n=%d failed=%d ms=%d%n", readyCount, n - readyCount,
                            (System.nanoTime() - start) / 1_000_000L);
                    System.out.flush();
                    t0 = System.nanoTime() + 200_000_000L;
                }
            }
        }
        long end = System.nanoTime();
        // pings awaited at the end: still outstanding after the window started counts to the window
        Longs connMax = new Longs();
        int failed = 0;
        int slow = 0;
        for (Conn c : conns) {
            if (c == null) {
                failed++;
                continue;
            }
            if (c.failed == null && c.sent > c.received) {
                long age = end - c.sentAt[c.received & 7];
                if (age > 2_000_000_000L) {
                    lost += c.sent - c.received;
                    c.failed = "no echo at the end for " + age / 1_000_000L + " ms";
                }
            }
            if (c.failed != null) {
                failed++;
            }
            connMax.add(c.windowMax);
            if (c.windowMax > 100_000_000L) {
                slow++;
            }
        }
        long windowMs = windowStart == Long.MAX_VALUE ? -1
                : ((windowEnd == Long.MAX_VALUE ? end : windowEnd) - windowStart) / 1_000_000L;
        System.out.printf("RESULT n=%d failed=%d window_ms=%d pings=%d window_pings=%d lost=%d"
                        + " before_p50_ms=%s before_p99_ms=%s before_max_ms=%s"
                        + " window_p50_ms=%s window_p99_ms=%s window_max_ms=%s conn_max_p99_ms=%s slow100=%d%n",
                n, failed, windowMs, pings, windowPings, lost, before.ms(0.5), before.ms(0.99), before.ms(1.0),
                window.ms(0.5), window.ms(0.99), window.ms(1.0), connMax.ms(0.99), slow);
        int shown = 0;
        for (Conn c : conns) {
            if (c != null && c.failed != null && shown++ < 20) {
                System.out.println("FAILED conn " + c.id + " (" + c.sent + " sent, " + c.received + " echoed): " + c.failed);
            }
        }
        System.out.flush();
        for (Conn c : conns) {
            if (c != null) {
                close(c);
            }
        }
        return failed == 0 && readyPrinted ? 0 : 3;
    }

    static void sendPing(Conn c, ByteBuffer ping, long now) throws IOException {
        c.sentAt[c.sent & 7] = now;
        ping.clear();
        ping.putInt(c.id).putInt(c.sent).putLong(now).flip();
        c.sent++;
        c.ch.write(ping);
        if (ping.hasRemaining()) {
            c.out = ByteBuffer.allocate(ping.remaining()).put(ping).flip();
            c.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
    }

    static void close(Conn c) {
        try {
            c.ch.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
