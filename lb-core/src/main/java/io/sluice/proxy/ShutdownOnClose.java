package io.sluice.proxy;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.unix.Socket;
import io.sluice.transport.Descriptors;
import java.io.IOException;

/**
 * Ends a socket for every process before closing ours: shutdown(2) both ways, then close. Put first
 * in the pipelines of a connection taken back after an aborted handover: its descriptors were sent
 * to the other process, which may hang holding them, and close(2) only drops our copy, so without
 * the shutdown the client would never see the FIN (or the backend its end).
 *
 * <p>Sharable and stateless; runs on the channel's event loop.
 */
@ChannelHandler.Sharable
final class ShutdownOnClose extends ChannelOutboundHandlerAdapter {

    static final ShutdownOnClose INSTANCE = new ShutdownOnClose();

    private ShutdownOnClose() {}

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
        if (ctx.channel().isOpen()) {
            try {
                new Socket(Descriptors.of(ctx.channel())).shutdown(true, true);
            } catch (IOException | RuntimeException e) {
                // already shut or reset: the close below is all that is left to do
            }
        }
        super.close(ctx, promise);
    }
}
