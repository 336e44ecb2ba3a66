package io.sluice.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketChannelConfig;
import io.sluice.backend.Backend;
import io.sluice.pool.Pool;
import io.sluice.transport.Descriptors;
import io.sluice.transport.Transport;
import java.net.InetSocketAddress;
import java.util.function.LongConsumer;

/**
 * A connection another process is handing to this one, in two steps that mirror the ownership
 * rule (docs/handover.md): {@link #prepare} and {@link #preparePrelude} only check what arrived
 * and keep the descriptors, without a single syscall on them (even building a Netty channel reads
 * SO_ERROR, which would swallow a pending reset the old process must still see if it keeps the
 * connection); if the acknowledgement cannot be sent, {@link #discard} closes our copies. Only
 * once it has been written does {@link #start} build the channels and relay.
 */
public final class AdoptedConnection {

    private final ConnectionImage image;
    private final Transport transport;
    private final int clientFd;
    private final int backendFd;
    // Established connections:
    private final FrontendSettings settings;
    private final Pool pool;
    private final Backend backend;
    private final InetSocketAddress clientAddress;
    private final InetSocketAddress destination;
    // Prelude connections:
    private final ChannelInitializer<Channel> initializer;
    private ByteBuf toClient;
    private ByteBuf toBackend;
    private ByteBuf replay;

    private AdoptedConnection(ConnectionImage image, Transport transport, int clientFd, int backendFd,
                              FrontendSettings settings, Pool pool, Backend backend, InetSocketAddress clientAddress,
                              InetSocketAddress destination, ChannelInitializer<Channel> initializer,
                              ByteBuf toClient, ByteBuf toBackend, ByteBuf replay) {
        this.image = image;
        this.transport = transport;
        this.clientFd = clientFd;
        this.backendFd = backendFd;
        this.settings = settings;
        this.pool = pool;
        this.backend = backend;
        this.clientAddress = clientAddress;
        this.destination = destination;
        this.initializer = initializer;
        this.toClient = toClient;
        this.toBackend = toBackend;
        this.replay = replay;
    }

    /**
     * An established connection: relays between the two descriptors with the identity in
     * {@code image}. Takes ownership of the byte buffers only when it returns.
     *
     * @throws IllegalArgumentException if the image's addresses cannot be read
     */
    public static AdoptedConnection prepare(ConnectionImage image, FrontendSettings settings, Pool pool, Backend backend,
                                            Transport transport, int clientFd, int backendFd,
                                            ByteBuf toClient, ByteBuf toBackend) {
        InetSocketAddress clientAddress = AddressText.parse(image.client());
        InetSocketAddress destination = AddressText.parse(image.destination());
        return new AdoptedConnection(image, transport, clientFd, backendFd, settings, pool, backend, clientAddress,
                destination, null, toClient, toBackend, null);
    }

    /**
     * A connection still in its prelude: a fresh pipeline from the listener's initializer, fed
     * the bytes the client sent so far. Takes ownership of {@code replay}.
     */
    public static AdoptedConnection preparePrelude(ConnectionImage image, ChannelInitializer<Channel> initializer,
                                                   Transport transport, int clientFd, ByteBuf replay) {
        return new AdoptedConnection(image, transport, clientFd, -1, null, null, null, null, null, initializer,
                null, null, replay);
    }

    public ConnectionImage image() {
        return image;
    }

    /**
     * Starts serving it on {@code loop}; call after the ACK was written, from the handover thread.
     * {@code started} gets how long the connection was paused (nanoseconds), once it relays again.
     *
     * <p>The channels are built here, on the calling thread, and the event loop only registers them:
     * building a channel is the costly part (the new process's code is still cold), and an event
     * loop busy building a batch would stall every connection it already relays.
     */
    public void start(EventLoop loop, LongConsumer started) {
        Runnable onLoop = initializer != null ? preparePreludeChannel(loop) : prepareEstablishedChannels(loop);
        loop.execute(() -> {
            try {
                onLoop.run();
            } finally {
                started.accept(System.nanoTime() - image.pausedNanos());
            }
        });
    }

    private Runnable preparePreludeChannel(EventLoop loop) {
        SocketChannel client = wrap(clientFd);
        client.attr(HandedOver.START_NANOS).set(image.startNanos());
        client.pipeline().addLast(initializer);
        ByteBuf bytes = replay;
        replay = null;
        return () -> {
            if (!loop.register(client).isSuccess()) {
                bytes.release();
                client.unsafe().closeForcibly();
                return;
            }
            // Registration ran the initializer and channelActive (admission, first read): the replay
            // now reaches the prelude handlers as if just read from the socket.
            client.pipeline().fireChannelRead(bytes);
            client.pipeline().fireChannelReadComplete();
        };
    }

    private Runnable prepareEstablishedChannels(EventLoop loop) {
        SocketChannel client = wrap(clientFd);
        SocketChannel backendChannel = wrap(backendFd);
        ChannelConnection c = ConnectionHandover.adopted(settings, client, image, clientAddress, destination, pool);
        client.pipeline().addLast("relay", new FrontendHandler(settings, c));
        backendChannel.pipeline().addLast("relay", new BackendHandler(c));
        ByteBuf up = toBackend;
        ByteBuf down = toClient;
        toClient = toBackend = null;
        return () -> {
            if (!loop.register(client).isSuccess()) {
                up.release();
                down.release();
                client.unsafe().closeForcibly();
                backendChannel.unsafe().closeForcibly();
                return;
            }
            client.closeFuture().addListener(f -> c.finished());
            ConnectionHandover.admitted(c, image.startNanos(), true);
            if (!loop.register(backendChannel).isSuccess()) {
                up.release();
                down.release();
                backendChannel.unsafe().closeForcibly();
                c.close(CloseReason.SHUTDOWN);
                return;
            }
            ConnectionHandover.startAdopted(c, backendChannel, pool.adopted(clientAddress.getAddress(), backend), down, up);
        };
    }

    private SocketChannel wrap(int fd) {
        SocketChannel ch = transport.wrapSocket(fd);
        SocketChannelConfig config = ch.config();
        config.setAutoRead(false);
        config.setAllowHalfClosure(true);
        config.setRecvByteBufAllocator(Transport.RECEIVE_BUFFERS);
        return ch;
    }

    /** The acknowledgement was not delivered: the other process keeps it. Closes our descriptors only. */
    public void discard() {
        Descriptors.close(clientFd);
        if (backendFd >= 0) {
            Descriptors.close(backendFd);
        }
        for (ByteBuf buf : new ByteBuf[] {toClient, toBackend, replay}) {
            if (buf != null) {
                buf.release();
            }
        }
        toClient = toBackend = replay = null;
    }

}
