package io.sluice.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The smallest reproducer of a Netty 4.2.18 io_uring defect, with Netty only (no Sluice class):
 * a connection whose peer sends its last bytes and then resets (RST) is never closed when the
 * bytes and the reset reach the socket before the event loop looks at it.
 *
 * <p>What happens (traced in Netty's AbstractIoUringChannel, docs/performance.md "io_uring"):
 * <ol>
 *   <li>The channel waits for input with a multishot POLL_ADD(POLLIN), Netty's default where the
 *       kernel has it. A multishot poll reports each wake-up of the socket once: edge-triggered.
 *   <li>The bytes and the RST arrive together; the poll reports them in one completion,
 *       {@code POLLIN|POLLERR|POLLHUP|POLLRDHUP} (plus one from the one-shot POLLRDHUP poll).
 *   <li>Netty submits one RECV; it returns the bytes. The completion has no
 *       IORING_CQE_F_SOCK_NONEMPTY: that flag counts bytes, and after a FIN the kernel reports one
 *       anyway, but a reset leaves nothing to count. Netty takes the socket for drained, fires
 *       channelReadComplete, and on the next read() waits on its multishot poll, which is still
 *       armed.
 *   <li>The socket never wakes up again: the reset was its last event and was already reported.
 *       The channel stays open and active, its descriptor too, and no handler hears of the reset.
 * </ol>
 * Level-triggered waits do not lose it: epoll reports EPOLLERR again on the next epoll_wait, and
 * a new one-shot POLL_ADD ({@code -Dio.netty.iouring.pollAddMultishotEnabled=false}) checks the
 * socket when it is armed and completes at once.
 *
 * <p>The run is deterministic: each client connects and sends one byte, which the server reads
 * (so its channel then waits on the poll); then the server's only event loop is held busy by a
 * task while every client sends 24 bytes (a TLS close_notify record's size) and closes with
 * SO_LINGER 0; then the loop is released. The server reads on demand (AUTO_READ off, one read()
 * per channelReadComplete); Netty's own read loop after {@code setAutoRead(true)} parks the same
 * way. Prints one line and exits 1 when any server channel is still open after the wait.
 *
 * <pre>
 *   java -cp NETTY_JARS lb-core/src/test/java/io/sluice/transport/IoUringResetReproducer.java [io_uring|epoll] [clients]
 * </pre>
 *
 * Loopback only; bounded by the number of clients and by waits of a few seconds.
 */
public final class IoUringResetReproducer {

    /** What the run saw: connections accepted, how many the server closed, how many it still holds. */
    public record Outcome(String transport, int clients, int closedByServer, int stillOpen) {
        @Override
        public String toString() {
            return transport + ": " + clients + " clients sent bytes then a reset; the server closed " + closedByServer
                    + ", still holds " + stillOpen + (stillOpen > 0 ? " (reset lost)" : "");
        }
    }

    private IoUringResetReproducer() {}

    public static void main(String[] args) throws Exception {
        String transport = args.length > 0 ? args[0] : "io_uring";
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Outcome outcome = run(transport, clients);
        System.out.println(outcome);
        System.exit(outcome.stillOpen() == 0 ? 0 : 1);
    }

    public static Outcome run(String transport, int clients) throws Exception {
        boolean uring = transport.equals("io_uring");
        if (uring && !IoUring.isAvailable()) {
            throw new IllegalStateException("io_uring is unavailable here: " + IoUring.unavailabilityCause());
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
                uring ? IoUringIoHandler.newFactory() : EpollIoHandler.newFactory());
        Set<Channel> open = ConcurrentHashMap.newKeySet();
        CountDownLatch firstBytes = new CountDownLatch(clients);
        List<Socket> sockets = new ArrayList<>();
        try {
            Channel server = new ServerBootstrap().group(group)
                    .channel(uring ? IoUringServerSocketChannel.class : EpollServerSocketChannel.class)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new ReadOnDemand(open, firstBytes));
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            for (int i = 0; i < clients; i++) {
                Socket s = new Socket();
                sockets.add(s);
                s.connect(server.localAddress(), 5000);
                s.setSoLinger(true, 0); // close() sends RST
                s.getOutputStream().write('h');
            }
            if (!firstBytes.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the server did not read every client's first byte");
            }
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            server.eventLoop().execute(() -> {
                held.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS); // bounded: a failure must not leave the loop stuck
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            if (!held.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the server's event loop did not run the holding task");
            }
            for (Socket s : sockets) {
                OutputStream out = s.getOutputStream();
                out.write(new byte[24]); // the last bytes...
                out.flush();
                s.close(); // ...then the reset, both before the loop looks again
            }
            release.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!open.isEmpty() && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(50); // waiting for closes that may never come: no condition to await
            }
            int stillOpen = open.size();
            server.close().sync();
            return new Outcome(transport, clients, clients - stillOpen, stillOpen);
        } finally {
            for (Socket s : sockets) {
                closeQuietly(s);
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closed already
        }
    }

    /** AUTO_READ is off: one read() when active and one per channelReadComplete. Event loop only. */
    private static final class ReadOnDemand extends ChannelInboundHandlerAdapter {
        private final Set<Channel> open;
        private final CountDownLatch firstBytes;
        private boolean first = true;

        ReadOnDemand(Set<Channel> open, CountDownLatch firstBytes) {
            this.open = open;
            this.firstBytes = firstBytes;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            open.add(ctx.channel());
            ctx.channel().closeFuture().addListener(f -> open.remove(ctx.channel()));
            ctx.read();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ((ByteBuf) msg).release();
            if (first) {
                first = false;
                firstBytes.countDown();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.read();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // "Connection reset by peer": what the reset should lead to
        }
    }
}
