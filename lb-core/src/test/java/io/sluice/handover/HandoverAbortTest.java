package io.sluice.handover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketReadMode;
import io.netty.handler.codec.LengthFieldPrepender;
import io.sluice.config.ConfigLoader;
import io.sluice.config.SluiceConfig;
import io.sluice.daemon.SluiceDaemon;
import io.sluice.harness.Clients;
import io.sluice.harness.Ports;
import io.sluice.harness.TestBackend;
import io.sluice.proxy.ConnectionImage;
import io.sluice.transport.Descriptors;
import io.sluice.transport.Transport;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The new process fails in the middle: a scripted peer speaks the real protocol up to the first
 * BATCH, receives its descriptors, and vanishes without acknowledging it. Every connection must
 * still be the old daemon's, working, and the old daemon must accept again. Then a real
 * takeover still works.
 */
class HandoverAbortTest {

    private static final int CONNECTIONS = 300; // several batches (64 each)

    @TempDir
    Path dir;

    private final int port = Ports.freePort();



    private Path socket() {
        return dir.resolve("handover.sock");
    }

    private SluiceConfig config(TestBackend backend) throws Exception {
        return Handovers.inProcess(port, backend.address().getPort(), 0, socket());
    }

    @Test
    void aNewProcessThatDiesBeforeItsAckLeavesEveryConnectionWithTheOldOne() throws Exception {
        try (TestBackend backend = TestBackend.namedEcho("app-1")) {
            SluiceDaemon old = SluiceDaemon.start(config(backend));
            SluiceDaemon fresh = null;
            List<Socket> clients = new ArrayList<>();
            try {
                clients.addAll(Handovers.connect(old.boundAddress("main"), CONNECTIONS, "app-1"));
                int offered = dieAfterFirstBatch(socket());
                assertEquals(HandOffRounds.batchSize(0), offered, "the scripted peer saw the whole first batch");

                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> old.handoverStatus().last() != null);
                assertTrue(old.handoverStatus().last().outcome().startsWith("aborted"), old.handoverStatus().last().outcome());
                assertEquals("idle", old.handoverStatus().state());
                assertEquals(CONNECTIONS, old.connections().size(), "not one connection lost or handed over");
                Handovers.sayToAll(clients, "still-");
                try (Socket late = Clients.connect(old.boundAddress("main"))) {
                    assertEquals("app-1", Clients.readLine(late), "the old daemon accepts again");
                }

                fresh = SluiceDaemon.takeOver(config(backend), socket());
                assertEquals("done", fresh.handoverStatus().last().outcome());
                assertEquals(CONNECTIONS, fresh.handoverStatus().last().connections());
                old.stop(Duration.ofSeconds(5));
                Handovers.sayToAll(clients, "moved-");
            } finally {
                Handovers.closeAll(clients, old, fresh);
            }
        }
    }

    /**
     * SIGTERM (a stop) reaches the old daemon in the middle of a handover: it lets the handover
     * finish instead of cutting the link (which could lose an ACK already written and leave a batch
     * served twice), so every connection ends up in the new daemon, working.
     */
    @Test
    void aStopInTheMiddleOfAHandoverLetsItFinish() throws Exception {
        try (TestBackend backend = TestBackend.namedEcho("app-1")) {
            SluiceDaemon old = SluiceDaemon.start(config(backend));
            List<Socket> clients = new ArrayList<>();
            CompletableFuture<SluiceDaemon> took = null;
            System.setProperty("sluice.handover.test-batch-delay-ms", "100");
            try {
                clients.addAll(Handovers.connect(old.boundAddress("main"), CONNECTIONS, "app-1"));
                took = Handovers.takeOverInBackground(config(backend), socket());
                Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                        .until(() -> "handing-over".equals(old.handoverStatus().state()));
                old.stop(Duration.ofSeconds(5)); // returns once the handover finished and nothing is left

                SluiceDaemon fresh = took.get(60, TimeUnit.SECONDS);
                assertEquals("done", old.handoverStatus().last().outcome());
                assertEquals(CONNECTIONS, fresh.handoverStatus().last().connections());
                assertEquals(CONNECTIONS, fresh.connections().size());
                Handovers.sayToAll(clients, "moved-");
            } finally {
                System.clearProperty("sluice.handover.test-batch-delay-ms");
                Handovers.closeAll(clients, old, took == null ? null : Handovers.taken(took));
            }
        }
    }

    /**
     * The new daemon's config has no backend of that name: it refuses those connections, and the
     * old daemon keeps them, working, and lets them drain before it exits.
     */
    @Test
    void connectionsTheNewConfigCannotServeStayWithTheOldDaemon() throws Exception {
        try (TestBackend backend = TestBackend.namedEcho("app-1")) {
            SluiceDaemon old = SluiceDaemon.start(config(backend));
            SluiceDaemon fresh = null;
            List<Socket> clients = new ArrayList<>();
            try {
                clients.addAll(Handovers.connect(old.boundAddress("main"), 10, "app-1"));
                // Same listener and pool, but the backend is called app-2 there.
                SluiceConfig renamed = ConfigLoader.parse("""
                        listeners:
                          - { name: main, bind: 127.0.0.1:%d, pool: app }
                        pools:
                          app:
                            backends:
                              - { name: app-2, address: 127.0.0.1:%d }
                        handover:
                          socket: %s
                        """.formatted(port, backend.address().getPort(), socket()), "renamed.yaml");
                fresh = SluiceDaemon.takeOver(renamed, socket());
                HandoverStatus.Summary summary = fresh.handoverStatus().last();
                assertEquals("done", summary.outcome());
                assertEquals(0, summary.connections());
                assertEquals(10, summary.refused());
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> old.handoverStatus().last() != null);
                assertEquals("done", old.handoverStatus().last().outcome());
                assertEquals(10, old.handoverStatus().last().kept());
                assertEquals(10, old.connections().size(), "the old daemon still serves them");
                Handovers.sayToAll(clients, "kept-");
                try (Socket late = Clients.connect(old.boundAddress("main"))) {
                    assertEquals("app-1", Clients.readLine(late), "new connections go to the new daemon");
                    SluiceDaemon newer = fresh;
                    Awaitility.await("the new daemon serves it (old: " + old.connections().size() + ", new: "
                            + newer.connections().size() + ")").atMost(Duration.ofSeconds(10))
                            .until(() -> newer.connections().size() == 1);
                }
            } finally {
                Handovers.closeAll(clients, old, fresh);
            }
        }
    }

    /** Plays the new process up to the first BATCH and its descriptors, then closes everything. Returns the batch size. */
    private static int dieAfterFirstBatch(Path socket) throws Exception {
        EventLoopGroup group = Transport.EPOLL.newEventLoopGroup(1, "scripted-peer");
        Link link = new Link();
        try {
            Channel control = new Bootstrap().group(group).channel(EpollDomainSocketChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new FrameDecoder(), new LengthFieldPrepender(4), link.frameQueue());
                        }
                    }).connect(new DomainSocketAddress(socket.toString())).sync().channel();
            link.control(control);
            Duration step = Duration.ofSeconds(10);
            link.send(Wire.Type.HELLO, new Messages.Hello(Wire.PROTOCOL, Wire.VERSION, 1), step);
            Messages.Welcome welcome = link.expect(Wire.Type.WELCOME, step).read(Messages.Welcome.class);
            Channel fds = new Bootstrap().group(group).channel(EpollDomainSocketChannel.class)
                    .option(EpollChannelOption.DOMAIN_SOCKET_READ_MODE, DomainSocketReadMode.FILE_DESCRIPTORS)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new LengthFieldPrepender(4), link.descriptorQueue());
                        }
                    }).connect(new DomainSocketAddress(socket.toString())).sync().channel();
            link.descriptorChannel(fds);
            fds.writeAndFlush(Wire.encode(Wire.Type.ATTACH, new Messages.Attach(welcome.session()))).sync();
            link.expect(Wire.Type.STATE, step);
            Messages.Listeners listeners = link.expect(Wire.Type.LISTENERS, step).read(Messages.Listeners.class);
            for (int fd : link.receiveDescriptors(listeners.sockets().size(), step)) {
                Descriptors.close(fd);
            }
            link.send(Wire.Type.LISTENERS_TAKEN, new Messages.ListenersTaken(List.of("main")), step);
            Messages.Batch batch = link.expect(Wire.Type.BATCH, step).read(Messages.Batch.class);
            int count = batch.connections().stream().mapToInt(ConnectionImage::descriptorCount).sum();
            for (int fd : link.receiveDescriptors(count, step)) {
                Descriptors.close(fd); // our copies only: the old daemon's keep the sockets alive
            }
            return batch.connections().size();
        } finally {
            link.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

}
