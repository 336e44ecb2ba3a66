package io.sluice.handover;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketReadMode;
import io.netty.handler.codec.LengthFieldPrepender;
import io.sluice.proxy.AdoptedConnection;
import io.sluice.proxy.ConnectionImage;
import io.sluice.transport.Descriptors;
import io.sluice.transport.Transport;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The new process's side: connects to the running daemon's handover socket and takes its state,
 * listening sockets and connections (docs/handover.md).
 *
 * <p>Ownership: a connection becomes ours when our ACK naming it has been written to the socket
 * (the kernel delivers it to the old process even if we die the next instant). So nothing is read
 * or written on an adopted socket before that: descriptors are wrapped, checked and only started
 * once the ACK is out; if it cannot be sent, our copies are closed and the old process resumes.
 */
public final class Takeover {

    private static final Logger log = LoggerFactory.getLogger(Takeover.class);
    /** Test knob: delay every batch on this side, so a test can act mid-handover (read per batch). */
    private static final String TEST_BATCH_DELAY = "sluice.handover.test-batch-delay-ms";
    /**
     * Test knob: this process stops itself (SIGSTOP, as a hung process would) at one step of the
     * protocol: {@code welcome}, {@code listeners-taken}, {@code first-ack} or {@code before-bye}.
     */
    private static final String TEST_STOP_AT = "sluice.handover.test-stop-at";

    private final Path socket;
    private final HandoverTarget target;
    private final HandoverStatus status;
    private final Runnable beforeBye;
    /** The longest wait for the old process at any step. */
    private final Duration step;
    private volatile boolean listenersTaken;
    /** Connections acknowledged so far (the takeover runs on one thread, which also reads this on failure). */
    private int adoptedCount;

    private Takeover(Path socket, HandoverTarget target, HandoverStatus status, Runnable beforeBye) {
        this.step = target.deadlines().step();
        this.socket = socket;
        this.target = target;
        this.status = status;
        this.beforeBye = beforeBye;
    }

    /**
     * Runs a whole takeover on the calling thread (never an event loop).
     *
     * @return how it went
     * @throws Failed if it stopped early; {@link Failed#listenersTaken()} says whether this process
     *                already serves some listeners (then it must go on serving)
     */
    public static HandoverStatus.Summary run(Path socket, Transport transport, HandoverTarget target, HandoverStatus status,
                                             Runnable beforeBye) throws Failed {
        Takeover t = new Takeover(socket, target, status, beforeBye);
        if (!transport.supportsHandover()) {
            throw new Failed("--takeover needs the epoll transport; this process runs on "
                    + transport.operatorName(), false, 0);
        }
        EventLoopGroup group = transport.newEventLoopGroup(1, "sluice-takeover");
        Link link = new Link();
        status.state("taking-over");
        try {
            return t.takeOver(group, link);
        } catch (HandoverException | RuntimeException e) {
            String why = e instanceof HandoverException ? e.getMessage() : e.toString();
            status.finished(new HandoverStatus.Summary("received", -1, Instant.now(), 0, 0, 0, 0, -1, 0,
                    "aborted: " + why));
            throw new Failed(why, t.listenersTaken, t.adoptedCount);
        } finally {
            link.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private HandoverStatus.Summary takeOver(EventLoopGroup group, Link link) throws HandoverException {
        long t0 = System.nanoTime();
        Instant startedAt = Instant.now();
        Channel control = connect(group, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new FrameDecoder(), new LengthFieldPrepender(4), link.frameQueue());
            }
        }, false);
        link.control(control);
        checkPeer(control);
        link.send(Wire.Type.HELLO, new Messages.Hello(Wire.PROTOCOL, Wire.VERSION, ProcessHandle.current().pid()), step);
        Messages.Welcome welcome = link.expect(Wire.Type.WELCOME, step).read(Messages.Welcome.class);
        if (welcome.version() != Wire.VERSION || !Wire.PROTOCOL.equals(welcome.protocol())) {
            throw new HandoverException("the running daemon speaks handover protocol " + welcome.protocol() + " version "
                    + welcome.version() + "; this one speaks " + Wire.VERSION);
        }
        long peer = welcome.pid();
        stopHereForTests("welcome");
        Channel fds = connect(group, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new LengthFieldPrepender(4), link.descriptorQueue());
            }
        }, true);
        link.descriptorChannel(fds);
        ChannelFuture attached = fds.writeAndFlush(Wire.encode(Wire.Type.ATTACH, new Messages.Attach(welcome.session())));
        if (!attached.awaitUninterruptibly(step.toMillis()) || !attached.isSuccess()) {
            throw new HandoverException("cannot attach the descriptor connection");
        }
        log.info("Taking over from pid {} through {}", peer, socket);

        target.applyState(link.expect(Wire.Type.STATE, step).read(Messages.State.class));
        Messages.Listeners offered = link.expect(Wire.Type.LISTENERS, step).read(Messages.Listeners.class);
        int[] listenerFds = link.receiveDescriptors(offered.sockets().size(), step);
        List<String> taken = target.adoptListeners(offered.sockets(), listenerFds);
        listenersTaken = !taken.isEmpty();
        link.send(Wire.Type.LISTENERS_TAKEN, new Messages.ListenersTaken(taken), step);
        log.info("Accepting on the sockets of pid {}: {}", peer, taken);
        stopHereForTests("listeners-taken");

        int refusedCount = 0;
        AtomicLong longestPause = new AtomicLong();
        long receiving = 0;
        long preparing = 0;
        List<CountDownLatch> starts = new ArrayList<>();
        while (true) {
            Wire.Frame frame = link.receive(step);
            if (frame.type() == Wire.Type.STATE) {
                target.applyState(frame.read(Messages.State.class));
                continue;
            }
            if (frame.type() == Wire.Type.DONE) {
                break;
            }
            if (frame.type() != Wire.Type.BATCH) {
                throw new HandoverException("unexpected " + frame.type() + " during the connection handover");
            }
            Messages.Batch batch = frame.read(Messages.Batch.class);
            int descriptorCount = 0;
            for (ConnectionImage image : batch.connections()) {
                descriptorCount += image.descriptorCount();
            }
            long tFds = System.nanoTime();
            int[] received = link.receiveDescriptors(descriptorCount, step);
            long tPrepare = System.nanoTime();
            receiving += tPrepare - tFds;
            List<AdoptedConnection> adopted = new ArrayList<>();
            List<Long> adoptedIds = new ArrayList<>();
            List<Messages.Refusal> refusals = new ArrayList<>();
            prepareBatch(batch, frame.blob(), received, adopted, adoptedIds, refusals);
            preparing += System.nanoTime() - tPrepare;
            long delay = Long.getLong(TEST_BATCH_DELAY, 0);
            if (delay > 0) {
                sleep(delay);
            }
            try {
                link.send(Wire.Type.ACK, new Messages.Ack(batch.batch(), adoptedIds, refusals), step);
            } catch (HandoverException e) {
                adopted.forEach(AdoptedConnection::discard); // not acknowledged: still the old process's
                throw e;
            }
            CountDownLatch started = new CountDownLatch(adopted.size());
            starts.add(started);
            for (AdoptedConnection a : adopted) {
                target.start(a, pauseNanos -> {
                    longestPause.accumulateAndGet(pauseNanos, Math::max);
                    started.countDown();
                });
            }
            adoptedCount += adopted.size();
            refusedCount += refusals.size();
            if (adoptedCount == adopted.size() && !adopted.isEmpty()) {
                stopHereForTests("first-ack");
            }
        }
        for (CountDownLatch l : starts) {
            try {
                l.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        long pauseMillis = TimeUnit.NANOSECONDS.toMillis(longestPause.get());
        stopHereForTests("before-bye");
        beforeBye.run(); // e.g. systemd's MAINPID: the old process may exit as soon as it reads BYE
        // BYE settles the listeners: once it is written the old process lets them go; if it cannot
        // be written, the old process gave up on us and serves them again, so we must not.
        link.send(Wire.Type.BYE, new Messages.Bye(pauseMillis), step);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        log.info("Took over from pid {}: {} connections in {} ms (longest pause {} ms), {} refused, {} listeners;"
                + " receiving descriptors {} ms, wrapping {} ms", peer, adoptedCount, millis, pauseMillis, refusedCount,
                taken.size(), TimeUnit.NANOSECONDS.toMillis(receiving), TimeUnit.NANOSECONDS.toMillis(preparing));
        HandoverStatus.Summary summary = new HandoverStatus.Summary("received", peer, startedAt, millis, adoptedCount,
                refusedCount, 0, pauseMillis, taken.size(), "done");
        status.finished(summary);
        return summary;
    }

    /**
     * Checks a batch's connections and keeps their descriptors (no IO); refused ones get their
     * descriptors closed here. A malformed batch leaves nothing behind: what was prepared is
     * discarded and every descriptor not yet placed is closed.
     */
    private void prepareBatch(Messages.Batch batch, byte[] blob, int[] fds, List<AdoptedConnection> adopted,
                              List<Long> adoptedIds, List<Messages.Refusal> refusals) throws HandoverException {
        long offset = 0;
        int fdIndex = 0;
        try {
            for (ConnectionImage image : batch.connections()) {
                int[] own = new int[image.descriptorCount()];
                System.arraycopy(fds, fdIndex, own, 0, own.length);
                long total = (long) image.toClientBytes() + image.toBackendBytes() + image.replayBytes();
                if (image.toClientBytes() < 0 || image.toBackendBytes() < 0 || image.replayBytes() < 0
                        || offset + total > blob.length) {
                    throw new HandoverException("BATCH " + batch.batch() + " lists more pending bytes than it carries");
                }
                ByteBuf toClient = Unpooled.wrappedBuffer(blob, (int) offset, image.toClientBytes());
                ByteBuf toBackend = Unpooled.wrappedBuffer(blob, (int) offset + image.toClientBytes(), image.toBackendBytes());
                ByteBuf replay = Unpooled.wrappedBuffer(blob, (int) (offset + image.toClientBytes() + image.toBackendBytes()),
                        image.replayBytes());
                offset += total;
                fdIndex += own.length; // placed now: adopted, or closed as refused
                try {
                    adopted.add(target.prepare(image, own, toClient, toBackend, replay));
                    adoptedIds.add(image.id());
                } catch (HandoverTarget.Refused | RuntimeException e) {
                    toClient.release();
                    toBackend.release();
                    replay.release();
                    for (int fd : own) {
                        Descriptors.close(fd);
                    }
                    refusals.add(new Messages.Refusal(image.id(), String.valueOf(e.getMessage())));
                }
            }
        } catch (HandoverException | RuntimeException e) {
            adopted.forEach(AdoptedConnection::discard);
            adopted.clear();
            adoptedIds.clear();
            for (int i = fdIndex; i < fds.length; i++) {
                Descriptors.close(fds[i]);
            }
            throw e instanceof HandoverException he ? he : new HandoverException("malformed BATCH " + batch.batch() + ": " + e, e);
        }
    }

    /** Only a process of our own uid may hand us connections (the socket's mode says so too; this checks who answers). */
    private void checkPeer(Channel control) throws HandoverException {
        long own = HandoverServer.ownUid();
        long peer = HandoverServer.peerUid(control);
        if (own < 0 || peer != own) {
            throw new HandoverException("the process behind " + socket + " runs as uid " + peer + ", not ours (" + own + ")");
        }
    }

    private Channel connect(EventLoopGroup group, ChannelInitializer<Channel> init, boolean descriptors)
            throws HandoverException {
        Bootstrap b = new Bootstrap().group(group).channel(EpollDomainSocketChannel.class).handler(init);
        if (descriptors) {
            b.option(EpollChannelOption.DOMAIN_SOCKET_READ_MODE, DomainSocketReadMode.FILE_DESCRIPTORS);
        }
        ChannelFuture f = b.connect(new DomainSocketAddress(socket.toString())).awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new HandoverException("cannot connect to the handover socket " + socket + ": " + f.cause().getMessage()
                    + " (is a Sluice daemon running with handover.socket set to it?)");
        }
        return f.channel();
    }

    /** Stops this process (SIGSTOP) if {@code sluice.handover.test-stop-at} names {@code step}; tests only. */
    private static void stopHereForTests(String step) {
        if (!step.equals(System.getProperty(TEST_STOP_AT))) {
            return;
        }
        log.warn("Test knob {}={}: stopping this process (SIGSTOP)", TEST_STOP_AT, step);
        try {
            new ProcessBuilder("kill", "-STOP", Long.toString(ProcessHandle.current().pid())).inheritIO().start().waitFor();
        } catch (IOException e) {
            log.warn("cannot stop this process: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A takeover that stopped early. */
    public static final class Failed extends Exception {
        private final boolean listenersTaken;
        private final int adopted;

        Failed(String message, boolean listenersTaken, int adopted) {
            super(message);
            this.listenersTaken = listenersTaken;
            this.adopted = adopted;
        }

        /** Connections this process acknowledged before it stopped: its own, to serve until they end. */
        public int adopted() {
            return adopted;
        }

        /** Whether this process accepted on sockets it took (it must let them go: the old process serves them again). */
        public boolean listenersTaken() {
            return listenersTaken;
        }
    }
}
