package io.sluice.handover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.LengthFieldPrepender;
import io.sluice.transport.Transport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The old process's guard against a late ACK: once it stops the control connection, what the peer
 * wrote before is still read, and the peer cannot write anything after.
 */
class LinkTest {

    @TempDir
    Path dir;

    @Test
    void stopAndDrainReturnsWhatWasSentBeforeAndRefusesWhatComesAfter() throws Exception {
        EventLoopGroup group = Transport.EPOLL.newEventLoopGroup(1, "link-test");
        Link old = new Link();
        Link peer = new Link();
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        Path socket = dir.resolve("l.sock");
        Channel server = new ServerBootstrap().group(group).channel(EpollServerDomainSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new FrameDecoder(), new LengthFieldPrepender(4), old.frameQueue());
                        accepted.complete(ch);
                    }
                }).bind(new DomainSocketAddress(socket.toString())).sync().channel();
        try {
            Channel client = new Bootstrap().group(group).channel(EpollDomainSocketChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new FrameDecoder(), new LengthFieldPrepender(4), peer.frameQueue());
                        }
                    }).connect(new DomainSocketAddress(socket.toString())).sync().channel();
            peer.control(client);
            old.control(accepted.get(5, TimeUnit.SECONDS));
            Duration step = Duration.ofSeconds(5);

            peer.send(Wire.Type.ACK, new Messages.Ack(7, List.of(1L, 2L), List.of()), step);
            List<Wire.Frame> late = old.stopAndDrain(step);

            assertEquals(1, late.size(), "the ACK written before the stop is read");
            assertEquals(List.of(1L, 2L), late.get(0).read(Messages.Ack.class).adopted());
            assertThrows(HandoverException.class,
                    () -> peer.send(Wire.Type.ACK, new Messages.Ack(8, List.of(3L), List.of()), step),
                    "an ACK after the stop cannot be written, so the peer never takes those connections");
        } finally {
            old.close();
            peer.close();
            server.close().sync();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
