package io.sluice.proxy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.sluice.accesslog.AccessLog;
import io.sluice.backend.Backend;
import io.sluice.config.ListenerConfig;
import io.sluice.config.ListenerMode;
import io.sluice.limit.ConnectionLimiter;
import io.sluice.metrics.ProxyMetrics;
import io.sluice.pool.Pool;
import io.sluice.transport.Transport;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One message relayed by an established connection: a buffer read from the client passed through
 * {@link FrontendHandler} to the backend channel ({@code clientToBackend}), and one read from the
 * backend through {@link BackendHandler} to the client ({@code backendToClient}), each followed by the
 * read-complete that flushes it. 64 bytes is a chat message; 16 KiB a full TLS record of bulk data.
 *
 * <p><b>Why the relay is assembled by hand.</b> Connecting is not done with EmbeddedChannels:
 * {@link BackendConnector} bootstraps a real socket channel ({@link Transport}'s epoll or NIO class)
 * on the client channel's event loop, which cannot be an EmbeddedEventLoop. So the client channel runs
 * the real {@link FrontendHandler}, told to expect a PROXY header, which makes it admit the connection
 * and then wait instead of connecting; the benchmark then does what the connector does on success
 * (give the {@link Connection} its backend channel, {@link Connection#established}). From there every
 * message takes exactly the production path: the same handlers, connection state and channel calls
 * ({@code isActive}, {@code write} with the void promise, {@code isWritable}, {@code flush}).
 *
 * <p>Both channels are EmbeddedChannels with socket addresses, whose "socket" is a sink that counts
 * and releases what is flushed to it, as the kernel would take it. Messages are fired into the
 * pipelines as the transport fires them ({@code fireChannelRead}, then {@code fireChannelReadComplete}).
 * A read in the daemon allocates a pooled buffer; here each message is a retained duplicate of one
 * pooled direct buffer, so the numbers are the relay's own cost, without the allocator or a copy.
 *
 * <p>{@code idleTimeout}: with {@code timeouts.idle} set (default 1h) the connection is watched by
 * its loop's {@link IdleSweeper}; the data path then only marks the connection active on each
 * read. (Before the sweeper, a per-connection IdleStateHandler added a promise and a listener to
 * every write to the client: 96 bytes and about 400 ns a message.)
 *
 * <p>The benchmark thread is a {@code FastThreadLocalThread}, like an event loop's, so Netty's
 * Recycler reuses outbound-buffer entries and buffer duplicates as it does in the daemon (on a plain
 * thread it allocates them anew: about 128 bytes a message more).
 */
@State(Scope.Thread)
@Fork(jvmArgsAppend = {"-Djmh.executor=CUSTOM", "-Djmh.executor.class=io.sluice.bench.EventLoopLikeThreads"})
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RelayBenchmark {

    private static final InetSocketAddress CLIENT = new InetSocketAddress("198.51.100.7", 50123);
    private static final InetSocketAddress LISTENER = new InetSocketAddress("192.0.2.1", 443);
    private static final InetSocketAddress BACKEND = new InetSocketAddress("10.0.0.1", 8443);

    @Param({"64", "16384"})
    public int size;

    @Param({"false", "true"})
    public boolean idleTimeout;

    private SocketChannelSink client;
    private SocketChannelSink backend;
    private ChannelConnection connection;
    private ByteBuf payload;

    @Setup(Level.Trial)
    public void setUp() {
        ConnectionTracker tracker = new ConnectionTracker();
        Duration idle = idleTimeout ? Duration.ofHours(1) : Duration.ZERO;
        ListenerConfig config = new ListenerConfig("bench", LISTENER, ListenerMode.TCP, "pool", null, List.of(), 1);
        FrontendSettings settings = new FrontendSettings(config, null, Map.of(), null, idle, Transport.NIO,
                new ConnectionLimiter(1000, 0), tracker, new ProxyMetrics(new SimpleMeterRegistry()),
                new AccessLog(), ConnectObserver.NONE);

        // The client pipeline of FrontendInitializer once its prelude handlers are gone: the relay.
        // expectsProxyHeader = true: admit, read, and wait (see the class comment).
        FrontendHandler relay = new FrontendHandler(settings, true);
        client = SocketChannelSink.open(CLIENT, LISTENER, relay);
        connection = (ChannelConnection) tracker.all().get(0);

        // What BackendConnector does: AUTO_READ off until established, BackendHandler installed first.
        backend = SocketChannelSink.open(LISTENER, BACKEND, new BackendHandler(connection));
        backend.config().setAutoRead(false);
        connection.outbound(backend);
        connection.established(new Pool.Selection(new Backend("backend-1", BACKEND, 1), null));

        payload = PooledByteBufAllocator.DEFAULT.directBuffer(size, size);
        byte[] bytes = new byte[size];
        new SplittableRandom(7).nextBytes(bytes);
        payload.writeBytes(bytes);

        // One message each way, checked, so a relay that silently drops shows up here and not as a fast number.
        clientToBackend();
        backendToClient();
        if (backend.received != size || client.received != size || connection.bytesUp != size
                || connection.bytesDown != size) {
            throw new IllegalStateException("relay did not pass the bytes: backend got " + backend.received
                    + ", client got " + client.received);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        client.close();
        backend.close();
        client.finishAndReleaseAll();
        backend.finishAndReleaseAll();
        // Every duplicate relayed was released by the sinks: only our own reference is left.
        int refCnt = payload.refCnt();
        payload.release();
        if (refCnt != 1) {
            throw new IllegalStateException("relayed buffers leaked or were over-released: refCnt " + refCnt);
        }
    }

    @Benchmark
    public long clientToBackend() {
        ChannelPipeline p = client.pipeline();
        p.fireChannelRead(payload.retainedDuplicate());
        p.fireChannelReadComplete();
        return backend.received;
    }

    @Benchmark
    public long backendToClient() {
        ChannelPipeline p = backend.pipeline();
        p.fireChannelRead(payload.retainedDuplicate());
        p.fireChannelReadComplete();
        return client.received;
    }

    /**
     * An EmbeddedChannel with socket addresses (Connection reads them as {@link InetSocketAddress}) whose
     * flushed messages are counted and released rather than queued.
     */
    static final class SocketChannelSink extends EmbeddedChannel {
        private final SocketAddress local;
        private final SocketAddress remote;
        long received;

        /** Registered (hence active, channelActive fired) only once the addresses are set. */
        static SocketChannelSink open(InetSocketAddress remote, InetSocketAddress local, ChannelHandler... handlers) {
            SocketChannelSink ch = new SocketChannelSink(remote, local, handlers);
            try {
                ch.register();
            } catch (Exception e) {
                throw new IllegalStateException("registering an embedded channel", e);
            }
            return ch;
        }

        private SocketChannelSink(InetSocketAddress remote, InetSocketAddress local, ChannelHandler... handlers) {
            super(false, false, handlers);
            this.local = local;
            this.remote = remote;
        }

        @Override
        protected SocketAddress localAddress0() {
            return local;
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return remote;
        }

        @Override
        protected void handleOutboundMessage(Object msg) {
            if (msg instanceof ByteBuf buf) {
                received += buf.readableBytes();
            }
            // doWrite retained it for the queue we do not keep; the outbound buffer releases the other.
            ReferenceCountUtil.release(msg);
        }
    }
}
