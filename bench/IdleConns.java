import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Idle-connection tools for bench/compare.sh (memory per idle connection). One file, no
 * dependencies: run with `java bench/IdleConns.java ...` (compare.sh compiles it once with javac).
 *
 * <pre>
 *   echo PORT
 *       NIO echo server on 127.0.0.1:PORT (one thread): writes back whatever it reads, holds every
 *       connection until the peer closes it.
 *   hold PORT N INFLIGHT WARMUP DIR MAX_SECONDS [PER_SOURCE]
 *       Warm-up: opens and proves WARMUP connections, closes them, prints WARM n=.. ms=.., then
 *       waits for the file DIR/go (so the caller can measure a baseline in between).
 *       Then opens N connections to 127.0.0.1:PORT, at most INFLIGHT not yet proven at a time. Each
 *       one sends one line and waits for its echo, so it is proven end to end (through a proxy:
 *       client, proxy and backend legs all up). Then prints
 *           ESTABLISHED n=N failed=F ms=T
 *       and holds every connection idle until DIR/release exists (or MAX_SECONDS since start have
 *       passed), then prints RELEASED dropped=D (connections the far end closed meanwhile) and
 *       closes them all. Sources: 127.0.0.1 for the first PER_SOURCE connections (default 20000),
 *       then 127.0.0.2, ... so ephemeral ports never run short.
 * </pre>
 *
 * Loopback only. Every wait is bounded by MAX_SECONDS; exit status 3 when not all N connections
 * could be proven within it.
 */
public final class IdleConns {

    private static final byte[] LINE = "hold\n".getBytes();

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("echo")) {
            echo(Integer.parseInt(args[1]));
        } else if (args.length >= 7 && args[0].equals("hold")) {
            int perSource = args.length > 7 ? Integer.parseInt(args[7]) : 20000;
            System.exit(hold(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), Path.of(args[5]), Integer.parseInt(args[6]), perSource));
        } else {
            System.err.println("usage: IdleConns echo PORT | hold PORT N INFLIGHT WARMUP DIR MAX_SECONDS [PER_SOURCE]");
            System.exit(2);
        }
    }

    // ---------------------------------------------------------------- echo backend

    static void echo(int port) throws IOException {
        Selector selector = Selector.open();
        ServerSocketChannel server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 4096);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        System.out.println("echo listening on 127.0.0.1:" + port);
        System.out.flush();
        ByteBuffer buf = ByteBuffer.allocateDirect(16384);
        while (true) {
            selector.select();
            Iterator<SelectionKey> it = selector.selectedKeys().iterator();
            while (it.hasNext()) {
                SelectionKey key = it.next();
                it.remove();
                try {
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        SocketChannel ch;
                        while ((ch = server.accept()) != null) {
                            ch.configureBlocking(false);
                            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                            ch.register(selector, SelectionKey.OP_READ);
                        }
                        continue;
                    }
                    SocketChannel ch = (SocketChannel) key.channel();
                    ByteBuffer pending = (ByteBuffer) key.attachment();
                    if (key.isWritable() && pending != null) {
                        ch.write(pending);
                        if (!pending.hasRemaining()) {
                            key.attach(null);
                            key.interestOps(SelectionKey.OP_READ);
                        }
                        continue;
                    }
                    if (key.isReadable()) {
                        buf.clear();
                        int n = ch.read(buf);
                        if (n < 0) {
                            key.cancel();
                            ch.close();
                            continue;
                        }
                        buf.flip();
                        ch.write(buf);
                        if (buf.hasRemaining()) { // slow reader: keep the rest, stop reading until it is out
                            ByteBuffer rest = ByteBuffer.allocate(buf.remaining());
                            rest.put(buf).flip();
                            key.attach(rest);
                            key.interestOps(SelectionKey.OP_WRITE);
                        }
                    }
                } catch (IOException e) {
                    key.cancel();
                    try {
                        key.channel().close();
                    } catch (IOException ignored) {
                        // already gone
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- idle connection holder

    /** One client connection: how much of the echo is still missing. */
    static final class Conn {
        final SocketChannel ch;
        final ByteBuffer out = ByteBuffer.wrap(LINE);
        int echoed;
        boolean proven;

        Conn(SocketChannel ch) {
            this.ch = ch;
        }
    }

    /** The connections of one round, proven or not. */
    static final class Round {
        final Selector selector;
        final List<Conn> conns = new ArrayList<>();
        int proven;
        int failed;
        String firstError;
        long millis;

        Round() throws IOException {
            selector = Selector.open();
        }

        void closeAll() throws IOException {
            for (Conn c : conns) {
                c.ch.close();
            }
            selector.close();
        }
    }

    static int hold(int port, int n, int inflight, int warmup, Path dir, int maxSeconds, int perSource)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        Path go = dir.resolve("go");
        Path release = dir.resolve("release");

        if (warmup > 0) { // warms this JVM and the path under test (class loading, JIT, pools)
            Round w = establish(target, warmup, inflight, perSource, deadline);
            w.closeAll();
            System.out.printf("WARM n=%d failed=%d ms=%d%n", w.proven, warmup - w.proven, w.millis);
            System.out.flush();
            if (w.proven != warmup) {
                return 3;
            }
        }
        while (!Files.exists(go) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Round r = establish(target, n, inflight, perSource, deadline);
        System.out.printf("ESTABLISHED n=%d failed=%d ms=%d%s%n", r.proven, n - r.proven, r.millis,
                r.firstError == null ? "" : " first_error=" + r.firstError.replace(' ', '_'));
        System.out.flush();
        int status = r.proven == n ? 0 : 3;

        // Idle until released: only closes by the far end can happen now.
        int dropped = 0;
        ByteBuffer in = ByteBuffer.allocate(64);
        while (status == 0 && !Files.exists(release) && System.nanoTime() < deadline) {
            r.selector.select(50);
            Iterator<SelectionKey> it = r.selector.selectedKeys().iterator();
            while (it.hasNext()) {
                SelectionKey key = it.next();
                it.remove();
                Conn c = (Conn) key.attachment();
                try {
                    in.clear();
                    if (c.ch.read(in) < 0) {
                        throw new IOException("closed");
                    }
                } catch (IOException e) {
                    dropped++;
                    key.cancel();
                    c.ch.close();
                }
            }
        }
        System.out.printf("RELEASED dropped=%d%s%n", dropped, Files.exists(release) ? "" : " (timed out)");
        System.out.flush();
        r.closeAll();
        return status != 0 ? status : (dropped > 0 ? 4 : 0);
    }

    /** Opens n connections (at most inflight unproven at a time), each proven by its echo. */
    static Round establish(InetSocketAddress target, int n, int inflight, int perSource, long deadline) throws IOException {
        long start = System.nanoTime();
        Round r = new Round();
        ByteBuffer in = ByteBuffer.allocate(64);
        int opened = 0;
        while (r.proven + r.failed < n && System.nanoTime() < deadline) {
            while (opened < n && opened - r.proven - r.failed < inflight) {
                SocketChannel ch = SocketChannel.open();
                try {
                    ch.configureBlocking(false);
                    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    int src = opened / perSource;
                    if (src > 0) {
                        ch.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (1 + src)}), 0));
                    }
                    Conn c = new Conn(ch);
                    r.conns.add(c);
                    ch.register(r.selector, ch.connect(target) ? SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT, c);
                } catch (IOException e) {
                    r.failed++;
                    r.firstError = r.firstError == null ? e.toString() : r.firstError;
                    ch.close();
                }
                opened++;
            }
            r.selector.select(100);
            Iterator<SelectionKey> it = r.selector.selectedKeys().iterator();
            while (it.hasNext()) {
                SelectionKey key = it.next();
                it.remove();
                Conn c = (Conn) key.attachment();
                try {
                    if (key.isConnectable()) {
                        c.ch.finishConnect();
                        key.interestOps(SelectionKey.OP_WRITE);
                    } else if (key.isWritable()) {
                        c.ch.write(c.out);
                        if (!c.out.hasRemaining()) {
                            key.interestOps(SelectionKey.OP_READ);
                        }
                    } else if (key.isReadable()) {
                        in.clear();
                        int got = c.ch.read(in);
                        if (got < 0) {
                            throw new IOException("closed by the far end before the echo");
                        }
                        c.echoed += got;
                        if (c.echoed >= LINE.length && !c.proven) {
                            c.proven = true;
                            r.proven++; // stays registered for reads: a close while idle is noticed
                        }
                    }
                } catch (IOException e) {
                    r.failed++;
                    r.firstError = r.firstError == null ? e.toString() : r.firstError;
                    key.cancel();
                    c.ch.close();
                }
            }
        }
        r.millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        return r;
    }
}
