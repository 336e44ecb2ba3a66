package io.sluice.transport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * How many connections a listener takes off the kernel's accept queue per pass of its event loop,
 * through real sockets: the loop is held busy (a task waits on a latch) while the clients connect,
 * so all of them sit in the accept queue when it next polls; each pass over the listener ends with
 * one channelReadComplete on the server channel, so the reads between two of them are one batch.
 *
 * <p>Why it matters: with Netty 4.2.18's epoll listener one connection per pass, 500 keep-alive
 * clients connecting at once were accepted over 2.5 s on one busy loop (every pass also serves all
 * the connections accepted before), and the late ones' first requests waited that long
 * (docs/performance.md, "Keep-alive at 500 connections").
 */
class AcceptBatchTest {

    /** Clients for the reproducer of Netty's one-per-pass behaviour. */
    private static final int CLIENTS = 40;

    /** The reproducer of Netty's behaviour: the default policy takes one connection per pass. */
    @Test
    void nettyEpollDefaultAcceptsOnePerPass() throws Exception {
        assumeTrue(Transport.EPOLL.isAvailable(), "epoll is not available here");
        List<Integer> batches = acceptBatches(Transport.EPOLL, null, CLIENTS);
        // If this fails, Netty accepts in batches by itself: Transport.acceptBatches() may go.
        assertEquals(Collections.nCopies(CLIENTS, 1), batches);
    }

    @Test
    void epollListenersAcceptInBatches() throws Exception {
        assumeTrue(Transport.EPOLL.isAvailable(), "epoll is not available here");
        // More clients than one batch, so the bound is seen as well as the batching.
        int full = Transport.ACCEPTS_PER_EVENT;
        int clients = full + 40;
        List<Integer> batches = acceptBatches(Transport.EPOLL, Transport.EPOLL.acceptBatches(), clients);
        assertEquals(List.of(full, clients - full), batches);
    }

    /**
     * Connects {@code count} clients while the listener's loop is held, then lets it go and
     * returns the number of connections accepted in each pass, in order.
     */
    private static List<Integer> acceptBatches(Transport transport, RecvByteBufAllocator policy, int count)
            throws Exception {
        EventLoopGroup group = transport.newEventLoopGroup(1, "accept-test");
        List<Integer> batches = Collections.synchronizedList(new ArrayList<>());
        List<Channel> accepted = Collections.synchronizedList(new ArrayList<>());
        List<Socket> clients = new ArrayList<>();
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannelClass())
                    .option(ChannelOption.SO_BACKLOG, count * 2)
                    .handler(new BatchCounter(batches))
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            accepted.add(ch);
                        }
                    });
            if (policy != null) {
                bootstrap.option(ChannelOption.RCVBUF_ALLOCATOR, policy);
            }
            Channel server = bootstrap.bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch held = new CountDownLatch(1);
            server.eventLoop().execute(() -> {
                held.countDown();
                try {
                    // Bounded: a failing test must not leave the loop stuck.
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(held.await(10, TimeUnit.SECONDS));
            for (int i = 0; i < count; i++) {
                Socket client = new Socket();
                clients.add(client);
                client.connect(server.localAddress(), 5000); // completes in the kernel's accept queue
            }
            release.countDown();
            await().atMost(Duration.ofSeconds(20)).until(() -> accepted.size() == count);
            server.eventLoop().submit(() -> { }).sync(); // the last pass's readComplete has run
            accepted.forEach(Channel::close);
            server.close().sync();
            synchronized (batches) {
                return batches.stream().filter(n -> n > 0).collect(Collectors.toList());
            }
        } finally {
            for (Socket client : clients) {
                client.close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** On the server channel: counts accepted channels (reads) between two read-completes. */
    private static final class BatchCounter extends ChannelInboundHandlerAdapter {
        private final List<Integer> batches;
        private int current;

        BatchCounter(List<Integer> batches) {
            this.batches = batches;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            current++;
            ctx.fireChannelRead(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            batches.add(current);
            current = 0;
            ctx.fireChannelReadComplete();
        }
    }
}
