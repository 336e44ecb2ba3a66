package io.sluice.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketChannelConfig;
import io.sluice.backend.Backend;
import io.sluice.pool.Pool;
import io.sluice.transport.Transport;
import java.net.InetSocketAddress;

/**
 * A connection another process is handing to this one, in two steps that mirror the ownership
 * rule (docs/handover.md): {@link #prepare} and {@link #preparePrelude} wrap the received
 * descriptors without any IO, so nothing has happened yet if the acknowledgement cannot be sent
 * ({@link #discard}); only once it has been written does {@link #start} register the channels and
 * relay.
 */
public final class AdoptedConnection {

    private final SocketChannel client;
    private final SocketChannel backend;
    private final ConnectionImage image;
    private final Connection connection;
    private final Pool.Selection selection;
    private ByteBuf toClient;
    private ByteBuf toBackend;
    private ByteBuf replay;

    private AdoptedConnection(SocketChannel client, SocketChannel backend, ConnectionImage image, Connection connection,
                              Pool.Selection selection, ByteBuf toClient, ByteBuf toBackend, ByteBuf replay) {
        this.client = client;
        this.backend = backend;
        this.image = image;
        this.connection = connection;
        this.selection = selection;
        this.toClient = toClient;
        this.toBackend = toBackend;
        this.replay = replay;
    }

    /**
     * An established connection: relays between the two descriptors with the identity in
     * {@code image}. Takes ownership of the byte buffers.
     *
     * @throws IllegalArgumentException if the image's addresses cannot be read
     */
    public static AdoptedConnection prepare(ConnectionImage image, FrontendSettings settings, Pool pool, Backend backend,
                                            Transport transport, int clientFd, int backendFd,
                                            ByteBuf toClient, ByteBuf toBackend) {
        InetSocketAddress clientAddress = AddressText.parse(image.client());
        InetSocketAddress destination = AddressText.parse(image.destination());
        SocketChannel clientChannel = wrap(transport, clientFd);
        SocketChannel backendChannel = wrap(transport, backendFd);
        Connection c = new Connection(settings, clientChannel, image, clientAddress, destination, pool);
        clientChannel.pipeline().addLast("relay", new FrontendHandler(settings, c));
        backendChannel.pipeline().addLast("relay", new BackendHandler(c));
        return new AdoptedConnection(clientChannel, backendChannel, image, c, pool.adopted(clientAddress.getAddress(), backend),
                toClient, toBackend, null);
    }

    /**
     * A connection still in its prelude: a fresh pipeline from the listener's initializer, fed
     * the bytes the client sent so far. Takes ownership of {@code replay}.
     */
    public static AdoptedConnection preparePrelude(ConnectionImage image, ChannelInitializer<Channel> initializer,
                                                   Transport transport, int clientFd, ByteBuf replay) {
        SocketChannel clientChannel = wrap(transport, clientFd);
        clientChannel.pipeline().addLast(initializer);
        return new AdoptedConnection(clientChannel, null, image, null, null, null, null, replay);
    }

    private static SocketChannel wrap(Transport transport, int fd) {
        SocketChannel ch = transport.wrapSocket(fd);
        SocketChannelConfig config = ch.config();
        config.setAutoRead(false);
        config.setAllowHalfClosure(true);
        config.setRecvByteBufAllocator(Transport.RECEIVE_BUFFERS);
        return ch;
    }

    public ConnectionImage image() {
        return image;
    }

    /**
     * Starts serving it on {@code loop}; any thread. Returns at once; the connection lives on there.
     */
    public void start(EventLoop loop, java.util.function.LongConsumer started) {
        loop.execute(() -> {
            try {
                startOn(loop);
            } finally {
                started.accept(System.nanoTime() - image.pausedNanos());
            }
        });
    }

    private void startOn(EventLoop loop) {
        {
            if (!loop.register(client).isSuccess()) {
                discardNow();
                return;
            }
            if (connection == null) {
                // Registration ran the initializer and channelActive (admission, first read):
                // the replay now reaches the prelude handlers as if just read from the socket.
                client.pipeline().fireChannelRead(replay);
                replay = null;
                client.pipeline().fireChannelReadComplete();
                return;
            }
            client.closeFuture().addListener(f -> connection.finished());
            connection.globalAdmittedHandedOver();
            if (!loop.register(backend).isSuccess()) {
                toClient.release();
                toBackend.release();
                connection.close(CloseReason.SHUTDOWN);
                return;
            }
            ByteBuf c = toClient;
            ByteBuf b = toBackend;
            toClient = toBackend = null;
            connection.startAdopted(backend, selection, c, b);
        }
    }

    /** The acknowledgement was not delivered: the other process keeps it. Closes our descriptors only. */
    public void discard() {
        discardNow();
    }

    private void discardNow() {
        // closeForcibly closes the descriptor without a FIN: the other process's copy keeps the socket.
        client.unsafe().closeForcibly();
        if (backend != null) {
            backend.unsafe().closeForcibly();
        }
        for (ByteBuf buf : new ByteBuf[] {toClient, toBackend, replay}) {
            if (buf != null) {
                buf.release();
            }
        }
        toClient = toBackend = replay = null;
    }
}
