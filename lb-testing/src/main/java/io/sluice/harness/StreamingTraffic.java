package io.sluice.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Long-lived connections through a proxy that stream both ways at a modest rate, every byte
 * checked: the load a connection handover must carry without losing, duplicating or reordering a
 * byte.
 *
 * <p>Two NIO reactor threads, one for all client ends and one for the backend (a real loopback
 * server this class runs, sharing no code with the daemon). A client connects through the proxy and
 * sends its connection id (4 bytes, big-endian) first; after that each side sends a chunk of
 * {@link Options#minChunk()}..{@link Options#maxChunk()} bytes every {@link Options#interval()}
 * (never queueing more than one chunk: a side that cannot write waits). The bytes of each direction
 * of connection {@code id} come from a generator seeded by ({@code id}, direction), and every
 * receiver compares each byte with its own copy of the generator, so a lost, duplicated or
 * reordered byte fails at the first wrong offset ({@link #corruptions()}).
 *
 * <p>A connection that ends before {@link #stop} (EOF or an IO error on either end) is recorded in
 * {@link #ended()}. {@link #stop} half-closes every live client end; the backend finishes its
 * chunk and half-closes too; then the totals of both directions are compared per connection.
 *
 * <p>Ids from {@link #SHORT_ID_BASE} up are for {@link #shortExchange}: short blocking connections
 * to the same backend, whose half-close is always expected.
 *
 * <p>This class is the test's side (connect, watch, stop and report); {@link StreamReactor} runs the client
 * and backend ends ({@link StreamPeer}), {@link StreamBytes} generates and checks each stream, and
 * {@link TrafficLedger} holds what the reactors record. Threads: the test thread calls this class.
 */
public final class StreamingTraffic implements AutoCloseable {

    /** Ids at or above this are short exchanges; below, streaming connections. */
    public static final int SHORT_ID_BASE = 1_000_000;

    /** How many connections, how fast. */
    public record Options(int connections, Duration interval, int minChunk, int maxChunk) {
        public Options {
            if (connections < 0 || connections > 9000) {
                throw new IllegalArgumentException("connections: " + connections + " (expected 0..9000)");
            }
            if (minChunk < 1 || maxChunk < minChunk || maxChunk > 65536) {
                throw new IllegalArgumentException("chunk " + minChunk + ".." + maxChunk);
            }
        }

        /** 500 connections, a 1-4 KiB chunk every 20 ms each way. */
        public static Options defaults() {
            return new Options(500, Duration.ofMillis(20), 1024, 4096);
        }

        public Options withConnections(int n) {
            return new Options(n, interval, minChunk, maxChunk);
        }
    }

    /**
     * The outcome of {@link #stop}. {@code corruptions}: wrong bytes, failed connects, totals that
     * differ, connections that did not finish; {@code endings}: connections that ended early (their
     * ids in {@code ended}). Both empty means every byte of every connection arrived exactly once.
     */
    public record Report(int connections, int completed, long bytesUp, long bytesDown,
                         List<String> corruptions, List<String> endings, Set<Integer> ended) {
        public List<String> problems() {
            List<String> all = new ArrayList<>(corruptions);
            all.addAll(endings);
            return all;
        }

        @Override
        public String toString() {
            List<String> p = problems();
            return completed + "/" + connections + " connections completed, " + bytesUp + " bytes up, " + bytesDown
                    + " bytes down, " + ended.size() + " ended early, " + p.size() + " problem(s)"
                    + (p.isEmpty() ? "" : ": " + p.subList(0, Math.min(20, p.size())));
        }
    }

    private final Options options;
    private final TrafficLedger ledger;
    private final StreamReactor clients;
    private final StreamReactor backend;
    private final ServerSocketChannel server;

    private StreamingTraffic(Options options) throws IOException {
        this.options = options;
        this.ledger = new TrafficLedger(options);
        this.server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
        server.configureBlocking(false);
        this.clients = new StreamReactor("streaming-clients", null, ledger);
        this.backend = new StreamReactor("streaming-backend", server, ledger);
        clients.start();
        backend.start();
    }

    /** Starts the backend; connect with {@link #connect}. */
    public static StreamingTraffic start(Options options) throws IOException {
        return new StreamingTraffic(options);
    }

    /** The backend's address, for the proxy's config. */
    public InetSocketAddress backendAddress() {
        try {
            return (InetSocketAddress) server.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Opens {@link Options#connections()} connections to {@code proxy} (ids 0..n-1) and waits until
     * the backend has seen every id, at most {@code limit}. A connection that fails to open is a
     * problem (and ends the test's hope of a clean report).
     */
    public void connect(InetSocketAddress proxy, Duration limit) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        for (int id = 0; id < options.connections(); id++) {
            SocketChannel ch = SocketChannel.open();
            try {
                ch.socket().connect(proxy, 5000);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.configureBlocking(false);
            } catch (IOException e) {
                ch.close();
                ledger.corruptions.add("connection " + id + ": could not connect: " + e);
                continue;
            }
            StreamPeer p = new StreamPeer(ch, true, id);
            ledger.clientPeers.put(id, p);
            clients.register(p);
        }
        while (ledger.backendPeers.size() + ledger.ended.size() < ledger.clientPeers.size()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("backend saw " + ledger.backendPeers.size() + " of " + ledger.clientPeers.size()
                        + " connections within " + limit);
            }
            Thread.sleep(20);
        }
    }

    /** Client ends that neither ended early nor failed. */
    public int live() {
        return ledger.live();
    }

    /** Ids of connections that ended early (EOF or IO error on either end) so far. */
    public Set<Integer> ended() {
        return Set.copyOf(ledger.ended);
    }

    /** Wrong bytes, protocol violations and failed connects so far (each fatal for a test). */
    public List<String> corruptions() {
        return List.copyOf(ledger.corruptions);
    }

    /** Corruptions plus early endings, so far: what a test without failures expects empty. */
    public List<String> errors() {
        List<String> all = new ArrayList<>(ledger.corruptions);
        all.addAll(ledger.endings);
        return all;
    }

    /** Bytes received so far, summed over client ends (down) and backend ends (up). */
    public long[] totals() {
        return ledger.totals();
    }

    /**
     * Waits (at most {@code limit}) until every live connection has received more bytes in both
     * directions than when called: traffic is flowing through whoever relays it now. False on
     * timeout.
     */
    public boolean awaitEveryLiveConnectionMoves(Duration limit) throws InterruptedException {
        Map<Integer, long[]> marks = new ConcurrentHashMap<>();
        for (StreamPeer c : ledger.clientPeers.values()) {
            StreamPeer b = ledger.backendPeers.get(c.id);
            if (!c.over && b != null) {
                marks.put(c.id, new long[] {c.received, b.received});
            }
        }
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            marks.entrySet().removeIf(e -> {
                StreamPeer c = ledger.clientPeers.get(e.getKey());
                StreamPeer b = ledger.backendPeers.get(e.getKey());
                return c.over || (c.received > e.getValue()[0] && b.received > e.getValue()[1]);
            });
            if (marks.isEmpty()) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    /**
     * Half-closes every live client end, waits (at most {@code limit}) for each connection to finish
     * both ways, and compares what each side sent with what the other received. Connections that
     * ended early are left out of the totals (they are in {@link Report#ended()} and, as endings,
     * in {@link Report#problems()}).
     */
    public Report stop(Duration limit) throws InterruptedException {
        ledger.stopping = true;
        clients.selector.wakeup();
        backend.selector.wakeup();
        long deadline = System.nanoTime() + limit.toNanos();
        while (live() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        List<String> problems = new ArrayList<>(ledger.corruptions);
        long up = 0;
        long down = 0;
        for (StreamPeer c : ledger.clientPeers.values()) {
            if (ledger.ended.contains(c.id)) {
                continue;
            }
            if (!c.finished) {
                problems.add("connection " + c.id + ": not finished within " + limit + " (sent " + c.sent
                        + ", received " + c.received + ")");
                continue;
            }
            long[] b = ledger.awaitBackendTotals(c.id, deadline);
            if (b == null) {
                problems.add("connection " + c.id + ": the backend did not finish");
            } else if (b[0] != c.sent || b[1] != c.received) {
                problems.add("connection " + c.id + ": client sent " + c.sent + ", backend received " + b[0]
                        + "; backend sent " + b[1] + ", client received " + c.received);
            }
            up += c.sent;
            down += c.received;
        }
        close();
        return new Report(ledger.clientPeers.size(), ledger.completed.get(), up, down, problems, List.copyOf(ledger.endings),
                new TreeSet<>(ledger.ended));
    }

    /**
     * One short blocking connection to {@code proxy} as connection {@code id} (at least
     * {@link #SHORT_ID_BASE}): sends {@code bytes} generated bytes, reads at least one chunk of the
     * backend's, half-closes, reads to EOF checking every byte, and checks the backend got exactly
     * what was sent. Null when all of that held, else what went wrong.
     */
    public String shortExchange(InetSocketAddress proxy, int id, int bytes) {
        if (id < SHORT_ID_BASE) {
            throw new IllegalArgumentException("short exchange ids start at " + SHORT_ID_BASE);
        }
        try (Socket s = new Socket()) {
            s.setSoTimeout(10_000);
            s.connect(proxy, 5000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            byte[] data = new byte[4 + bytes];
            ByteBuffer.wrap(data).putInt(id);
            StreamBytes up = new StreamBytes(id, true);
            for (int i = 0; i < bytes; i++) {
                data[4 + i] = up.next();
            }
            out.write(data);
            StreamBytes down = new StreamBytes(id, false);
            byte[] buf = new byte[8192];
            long received = 0;
            boolean halfClosed = false;
            for (int reads = 0; reads < 100_000; reads++) {
                if (!halfClosed && received >= options.minChunk()) {
                    s.shutdownOutput();
                    halfClosed = true;
                }
                int n = in.read(buf);
                if (n < 0) {
                    if (!halfClosed) {
                        return "short " + id + ": EOF before the backend's first chunk";
                    }
                    long[] b = ledger.awaitBackendTotals(id, System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
                    if (b == null || b[0] != bytes || b[1] != received) {
                        return "short " + id + ": sent " + bytes + ", received " + received + ", backend saw "
                                + (b == null ? "nothing" : b[0] + " and sent " + b[1]);
                    }
                    return null;
                }
                for (int i = 0; i < n; i++) {
                    byte want = down.next();
                    if (buf[i] != want) {
                        return "short " + id + ": down byte " + (received + i) + " is " + buf[i] + ", expected " + want;
                    }
                }
                received += n;
            }
            return "short " + id + ": too many reads";
        } catch (IOException e) {
            return "short " + id + ": " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "short " + id + ": interrupted";
        }
    }

    @Override
    public void close() {
        clients.shutdown();
        backend.shutdown();
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
