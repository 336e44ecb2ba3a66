package io.sluice.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
    private final Reactor clients;
    private final Reactor backend;
    private final ServerSocketChannel server;
    private final Queue<String> corruptions = new ConcurrentLinkedQueue<>();
    private final Queue<String> endings = new ConcurrentLinkedQueue<>();
    private final Set<Integer> ended = ConcurrentHashMap.newKeySet();
    private final Map<Integer, Peer> clientPeers = new ConcurrentHashMap<>();
    private final Map<Integer, Peer> backendPeers = new ConcurrentHashMap<>();
    /** Backend totals of connections that ended cleanly: id -> {received from client, sent to client}. */
    private final Map<Integer, long[]> backendFinished = new ConcurrentHashMap<>();
    private final AtomicInteger completed = new AtomicInteger();
    private volatile boolean stopping;

    private StreamingTraffic(Options options) throws IOException {
        this.options = options;
        this.server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
        server.configureBlocking(false);
        this.clients = new Reactor("streaming-clients", null);
        this.backend = new Reactor("streaming-backend", server);
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
                corruptions.add("connection " + id + ": could not connect: " + e);
                continue;
            }
            Peer p = new Peer(ch, true, id);
            clientPeers.put(id, p);
            clients.register(p);
        }
        while (backendPeers.size() + ended.size() < clientPeers.size()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("backend saw " + backendPeers.size() + " of " + clientPeers.size()
                        + " connections within " + limit);
            }
            Thread.sleep(20);
        }
    }

    /** Client ends that neither ended early nor failed. */
    public int live() {
        int n = 0;
        for (Peer p : clientPeers.values()) {
            if (!p.over) {
                n++;
            }
        }
        return n;
    }

    /** Ids of connections that ended early (EOF or IO error on either end) so far. */
    public Set<Integer> ended() {
        return Set.copyOf(ended);
    }

    /** Wrong bytes, protocol violations and failed connects so far (each fatal for a test). */
    public List<String> corruptions() {
        return List.copyOf(corruptions);
    }

    /** Corruptions plus early endings, so far: what a test without failures expects empty. */
    public List<String> errors() {
        List<String> all = new ArrayList<>(corruptions);
        all.addAll(endings);
        return all;
    }

    /** Bytes received so far, summed over client ends (down) and backend ends (up). */
    public long[] totals() {
        long up = 0;
        long down = 0;
        for (Peer p : clientPeers.values()) {
            down += p.received;
        }
        for (Peer p : backendPeers.values()) {
            up += p.received;
        }
        return new long[] {up, down};
    }

    /**
     * Waits (at most {@code limit}) until every live connection has received more bytes in both
     * directions than when called: traffic is flowing through whoever relays it now. False on
     * timeout.
     */
    public boolean awaitEveryLiveConnectionMoves(Duration limit) throws InterruptedException {
        Map<Integer, long[]> marks = new ConcurrentHashMap<>();
        for (Peer c : clientPeers.values()) {
            Peer b = backendPeers.get(c.id);
            if (!c.over && b != null) {
                marks.put(c.id, new long[] {c.received, b.received});
            }
        }
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            marks.entrySet().removeIf(e -> {
                Peer c = clientPeers.get(e.getKey());
                Peer b = backendPeers.get(e.getKey());
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
        stopping = true;
        clients.selector.wakeup();
        backend.selector.wakeup();
        long deadline = System.nanoTime() + limit.toNanos();
        while (live() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        List<String> problems = new ArrayList<>(corruptions);
        long up = 0;
        long down = 0;
        for (Peer c : clientPeers.values()) {
            if (ended.contains(c.id)) {
                continue;
            }
            if (!c.finished) {
                problems.add("connection " + c.id + ": not finished within " + limit + " (sent " + c.sent
                        + ", received " + c.received + ")");
                continue;
            }
            long[] b = awaitBackendTotals(c.id, deadline);
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
        return new Report(clientPeers.size(), completed.get(), up, down, problems, List.copyOf(endings),
                new TreeSet<>(ended));
    }

    private long[] awaitBackendTotals(int id, long deadline) throws InterruptedException {
        long[] b;
        while ((b = backendFinished.get(id)) == null && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return b;
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
            Gen up = new Gen(id, true);
            for (int i = 0; i < bytes; i++) {
                data[4 + i] = up.next();
            }
            out.write(data);
            Gen down = new Gen(id, false);
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
                    long[] b = awaitBackendTotals(id, System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
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

    /**
     * The byte stream of one direction of one connection: SplitMix64, eight bytes per step. The
     * sender and the receiver each hold one, seeded alike.
     */
    static final class Gen {
        private long state;
        private long word;
        private int left;

        Gen(int id, boolean up) {
            this.state = ((long) id << 1 | (up ? 1 : 0)) * 0x2545F4914F6CDD1DL + 0x5DEECE66DL;
        }

        byte next() {
            if (left == 0) {
                state += 0x9E3779B97F4A7C15L;
                long z = state;
                z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
                z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
                word = z ^ (z >>> 31);
                left = 8;
            }
            byte b = (byte) word;
            word >>>= 8;
            left--;
            return b;
        }
    }

    /** One end of one connection; touched only by its reactor's thread, except the volatile counters. */
    private final class Peer {
        final SocketChannel ch;
        final boolean client;
        int id;
        Gen out;
        Gen in;
        Random sizes;
        final ByteBuffer idBytes = ByteBuffer.allocate(4);
        ByteBuffer pending;
        long nextDue;
        // Written only by the reactor's thread (so += is safe), volatile so that others read them.
        volatile long sent;
        volatile long received;
        boolean outputShut;
        boolean idSent;
        /** EOF read: stop reading. */
        boolean inputDone;
        /** Ended (cleanly, early or failed): no more work. */
        volatile boolean over;
        /** Ended cleanly after both half-closes. */
        volatile boolean finished;
        SelectionKey key;

        Peer(SocketChannel ch, boolean client, int id) {
            this.ch = ch;
            this.client = client;
            this.id = id;
            if (client) {
                init(id);
                pending = ByteBuffer.allocate(4).putInt(id).flip();
            }
        }

        void init(int id) {
            this.id = id;
            this.out = new Gen(id, client);
            this.in = new Gen(id, !client);
            this.sizes = new Random(id * 31L + (client ? 1 : 2));
        }

        boolean known() {
            return out != null;
        }

        String name() {
            return "connection " + id + " (" + (client ? "client" : "backend") + " end)";
        }
    }

    /** One selector thread for a set of peers (and, for the backend, the server socket). */
    private final class Reactor extends Thread {
        final Selector selector;
        final ServerSocketChannel acceptor;
        final Queue<Peer> joining = new ConcurrentLinkedQueue<>();
        final List<Peer> peers = new ArrayList<>();
        final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
        volatile boolean running = true;

        Reactor(String name, ServerSocketChannel acceptor) throws IOException {
            super(name);
            setDaemon(true);
            this.selector = Selector.open();
            this.acceptor = acceptor;
            if (acceptor != null) {
                acceptor.register(selector, SelectionKey.OP_ACCEPT);
            }
        }

        void register(Peer p) {
            joining.add(p);
            selector.wakeup();
        }

        void shutdown() {
            running = false;
            selector.wakeup();
            try {
                join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (Peer p : peers) {
                closeQuietly(p);
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }

        @Override
        public void run() {
            long interval = options.interval().toNanos();
            Random spread = new Random(getName().hashCode());
            while (running) {
                try {
                    Peer j;
                    while ((j = joining.poll()) != null) {
                        j.key = j.ch.register(selector, SelectionKey.OP_READ, j);
                        j.nextDue = System.nanoTime() + (long) (spread.nextDouble() * interval);
                        peers.add(j);
                        flush(j);
                    }
                    selector.select(5);
                    for (SelectionKey k : selector.selectedKeys()) {
                        try {
                            if (k.isValid() && k.isAcceptable()) {
                                accept();
                                continue;
                            }
                            Peer p = (Peer) k.attachment();
                            if (k.isValid() && k.isWritable()) {
                                flush(p);
                            }
                            if (k.isValid() && k.isReadable()) {
                                read(p);
                            }
                        } catch (CancelledKeyException ignored) {
                            // closed while handling
                        }
                    }
                    selector.selectedKeys().clear();
                    long now = System.nanoTime();
                    for (int i = 0; i < peers.size(); i++) {
                        Peer p = peers.get(i);
                        if (p.over) {
                            peers.set(i, peers.get(peers.size() - 1));
                            peers.remove(peers.size() - 1);
                            i--;
                            continue;
                        }
                        tick(p, now, interval);
                    }
                } catch (IOException e) {
                    corruptions.add(getName() + ": " + e);
                }
            }
        }

        private void accept() throws IOException {
            SocketChannel ch;
            while ((ch = acceptor.accept()) != null) {
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                register(new Peer(ch, false, -1));
            }
        }

        private void tick(Peer p, long now, long interval) {
            if (!p.known() || p.outputShut) {
                return;
            }
            boolean finishing = p.client ? stopping : p.inputDone;
            if (p.pending != null && p.pending.hasRemaining()) {
                return; // backpressure: the last chunk is not out yet
            }
            if (finishing) {
                shutOutput(p);
                return;
            }
            if (now < p.nextDue) {
                return;
            }
            p.nextDue = Math.max(p.nextDue + interval, now);
            int size = options.minChunk() + p.sizes.nextInt(options.maxChunk() - options.minChunk() + 1);
            ByteBuffer chunk = ByteBuffer.allocate(size);
            for (int i = 0; i < size; i++) {
                chunk.put(p.out.next());
            }
            p.pending = chunk.flip();
            flush(p);
        }

        @SuppressWarnings("NonAtomicVolatileUpdate") // Peer.sent has one writer: this thread
        private void flush(Peer p) {
            if (p.pending == null || p.over) {
                return;
            }
            try {
                int before = p.pending.position();
                p.ch.write(p.pending);
                if (p.client && !p.idSent) {
                    p.idSent = !p.pending.hasRemaining(); // the id header is not part of the stream
                } else {
                    p.sent += p.pending.position() - before;
                }
                int ops = (p.inputDone ? 0 : SelectionKey.OP_READ) | (p.pending.hasRemaining() ? SelectionKey.OP_WRITE : 0);
                if (p.key != null && p.key.isValid() && p.key.interestOps() != ops) {
                    p.key.interestOps(ops);
                }
            } catch (IOException e) {
                endEarly(p, "write failed: " + e);
            }
        }

        private void shutOutput(Peer p) {
            try {
                p.ch.shutdownOutput();
                p.outputShut = true;
                if (!p.client) {
                    // The backend got EOF first (read() saw it), so this end is done both ways.
                    backendFinished.put(p.id, new long[] {p.received, p.sent});
                    p.finished = true;
                    p.over = true;
                    closeQuietly(p);
                }
            } catch (IOException e) {
                endEarly(p, "shutdownOutput failed: " + e);
            }
        }

        @SuppressWarnings("NonAtomicVolatileUpdate") // Peer.received has one writer: this thread
        private void read(Peer p) {
            readBuffer.clear();
            int n;
            try {
                n = p.ch.read(readBuffer);
            } catch (IOException e) {
                endEarly(p, "read failed: " + e);
                return;
            }
            if (n < 0) {
                eof(p);
                return;
            }
            readBuffer.flip();
            if (!p.known()) {
                while (readBuffer.hasRemaining() && p.idBytes.hasRemaining()) {
                    p.idBytes.put(readBuffer.get());
                }
                if (p.idBytes.hasRemaining()) {
                    return;
                }
                int id = p.idBytes.flip().getInt();
                if (id < 0 || (id >= options.connections() && id < SHORT_ID_BASE) || backendPeers.containsKey(id)) {
                    corruptions.add("backend: bad or repeated connection id " + id);
                    p.over = true;
                    closeQuietly(p);
                    return;
                }
                p.init(id);
                backendPeers.put(id, p);
            }
            int count = readBuffer.remaining();
            for (int i = 0; i < count; i++) {
                byte got = readBuffer.get();
                byte want = p.in.next();
                if (got != want) {
                    corruptions.add(p.name() + ": byte " + (p.received + i) + " is " + got + ", expected " + want
                            + " (" + (p.client ? "down" : "up") + " stream)");
                    p.over = true;
                    ended.add(p.id);
                    closeQuietly(p);
                    return;
                }
            }
            p.received += count;
        }

        private void eof(Peer p) {
            if (!p.known()) {
                p.over = true; // closed before saying who it is (a probe): not ours
                closeQuietly(p);
                return;
            }
            if (p.client) {
                if (p.outputShut) {
                    p.finished = true;
                    p.over = true;
                    completed.incrementAndGet();
                    closeQuietly(p);
                } else {
                    endEarly(p, "EOF before the client half-closed");
                }
                return;
            }
            if (stopping || p.id >= SHORT_ID_BASE) {
                p.inputDone = true; // finish the chunk in flight, then half-close
                p.key.interestOps(p.pending != null && p.pending.hasRemaining() ? SelectionKey.OP_WRITE : 0);
                tick(p, System.nanoTime(), 0);
            } else {
                endEarly(p, "EOF before the client half-closed");
            }
        }

        private void endEarly(Peer p, String why) {
            if (p.over) {
                return;
            }
            p.over = true;
            if (p.id >= 0) {
                ended.add(p.id);
            }
            endings.add(p.name() + ": " + why + " after " + p.sent + " bytes sent, " + p.received + " received");
            closeQuietly(p);
        }

        private void closeQuietly(Peer p) {
            try {
                p.ch.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
