package io.sluice.harness;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One selector thread for a set of {@link StreamingTraffic} peers (and, for the backend, the server socket):
 * sends each peer's chunks on time, checks every byte it reads, records endings in the {@link TrafficLedger}.
 */
final class StreamReactor extends Thread {
    final Selector selector;
    private final TrafficLedger ledger;
    private final StreamingTraffic.Options options;
    final ServerSocketChannel acceptor;
    final Queue<StreamPeer> joining = new ConcurrentLinkedQueue<>();
    final List<StreamPeer> peers = new ArrayList<>();
    final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
    volatile boolean running = true;

    StreamReactor(String name, ServerSocketChannel acceptor, TrafficLedger ledger) throws IOException {
        super(name);
        this.ledger = ledger;
        this.options = ledger.options;
        setDaemon(true);
        this.selector = Selector.open();
        this.acceptor = acceptor;
        if (acceptor != null) {
            acceptor.register(selector, SelectionKey.OP_ACCEPT);
        }
    }

    void register(StreamPeer p) {
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
        for (StreamPeer p : peers) {
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
                StreamPeer j;
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
                        StreamPeer p = (StreamPeer) k.attachment();
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
                    StreamPeer p = peers.get(i);
                    if (p.over) {
                        peers.set(i, peers.get(peers.size() - 1));
                        peers.remove(peers.size() - 1);
                        i--;
                        continue;
                    }
                    tick(p, now, interval);
                }
            } catch (IOException e) {
                ledger.corruptions.add(getName() + ": " + e);
            }
        }
    }

    private void accept() throws IOException {
        SocketChannel ch;
        while ((ch = acceptor.accept()) != null) {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            register(new StreamPeer(ch, false, -1));
        }
    }

    private void tick(StreamPeer p, long now, long interval) {
        if (!p.known() || p.outputShut) {
            return;
        }
        boolean finishing = p.client ? ledger.stopping : p.inputDone;
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

    @SuppressWarnings("NonAtomicVolatileUpdate") // StreamPeer.sent has one writer: this thread
    private void flush(StreamPeer p) {
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

    private void shutOutput(StreamPeer p) {
        try {
            p.ch.shutdownOutput();
            p.outputShut = true;
            if (!p.client) {
                // The backend got EOF first (read() saw it), so this end is done both ways.
                ledger.backendFinished.put(p.id, new long[] {p.received, p.sent});
                p.finished = true;
                p.over = true;
                closeQuietly(p);
            }
        } catch (IOException e) {
            endEarly(p, "shutdownOutput failed: " + e);
        }
    }

    @SuppressWarnings("NonAtomicVolatileUpdate") // StreamPeer.received has one writer: this thread
    private void read(StreamPeer p) {
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
            if (id < 0 || (id >= options.connections() && id < StreamingTraffic.SHORT_ID_BASE) || ledger.backendPeers.containsKey(id)) {
                ledger.corruptions.add("backend: bad or repeated connection id " + id);
                p.over = true;
                closeQuietly(p);
                return;
            }
            p.init(id);
            ledger.backendPeers.put(id, p);
        }
        int count = readBuffer.remaining();
        for (int i = 0; i < count; i++) {
            byte got = readBuffer.get();
            byte want = p.in.next();
            if (got != want) {
                ledger.corruptions.add(p.name() + ": byte " + (p.received + i) + " is " + got + ", expected " + want
                        + " (" + (p.client ? "down" : "up") + " stream)");
                p.over = true;
                ledger.ended.add(p.id);
                closeQuietly(p);
                return;
            }
        }
        p.received += count;
    }

    private void eof(StreamPeer p) {
        if (!p.known()) {
            p.over = true; // closed before saying who it is (a probe): not ours
            closeQuietly(p);
            return;
        }
        if (p.client) {
            if (p.outputShut) {
                p.finished = true;
                p.over = true;
                ledger.completed.incrementAndGet();
                closeQuietly(p);
            } else {
                endEarly(p, "EOF before the client half-closed");
            }
            return;
        }
        if (ledger.stopping || p.id >= StreamingTraffic.SHORT_ID_BASE) {
            p.inputDone = true; // finish the chunk in flight, then half-close
            p.key.interestOps(p.pending != null && p.pending.hasRemaining() ? SelectionKey.OP_WRITE : 0);
            tick(p, System.nanoTime(), 0);
        } else {
            endEarly(p, "EOF before the client half-closed");
        }
    }

    private void endEarly(StreamPeer p, String why) {
        if (p.over) {
            return;
        }
        p.over = true;
        if (p.id >= 0) {
            ledger.ended.add(p.id);
        }
        ledger.endings.add(p.name() + ": " + why + " after " + p.sent + " bytes sent, " + p.received + " received");
        closeQuietly(p);
    }

    private void closeQuietly(StreamPeer p) {
        try {
            p.ch.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
