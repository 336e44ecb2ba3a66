package io.sluice.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Keeps a copy of every byte a client sent while its connection is still in a prelude (PROXY
 * header, ClientHello sniff), before any backend is chosen.
 *
 * <p>Why: a connection handed to another process in the middle of its prelude is replayed there
 * from these raw bytes through a fresh pipeline. The decoders' own buffers are private and
 * partly consumed; the raw bytes are the one state every version of Sluice can rebuild from.
 * Bounded by what the prelude handlers accept (the sniffer's limit, the PROXY header's size):
 * the tape is removed as soon as a backend connect starts.
 */
final class PreludeTape extends ChannelInboundHandlerAdapter {

    static final String NAME = "prelude-tape";

    private CompositeByteBuf recorded;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        recorded = ctx.alloc().compositeBuffer(16);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf && recorded != null) {
            recorded.addComponent(true, buf.retainedDuplicate());
        }
        ctx.fireChannelRead(msg);
    }

    /** A copy of everything recorded so far (the caller owns it). */
    ByteBuf copy() {
        return recorded == null ? Unpooled.EMPTY_BUFFER : recorded.copy();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (recorded != null) {
            recorded.release();
            recorded = null;
        }
    }
}
