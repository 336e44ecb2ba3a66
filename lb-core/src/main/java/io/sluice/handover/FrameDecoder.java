package io.sluice.handover;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.ByteOrder;

/**
 * Length-prefixed frames, with a small cap on the first one: a stranger's garbage (or an HTTP
 * request sent to the wrong socket) reads as a huge length and is refused before anything is
 * buffered. Emits each frame without its length prefix.
 */
final class FrameDecoder extends LengthFieldBasedFrameDecoder {

    private boolean first = true;

    FrameDecoder() {
        super(Wire.FRAME_MAX, 0, 4, 0, 4);
    }

    @Override
    protected long getUnadjustedFrameLength(ByteBuf buf, int offset, int length, ByteOrder order) {
        long frameLength = super.getUnadjustedFrameLength(buf, offset, length, order);
        if (first && (frameLength > Wire.FIRST_FRAME_MAX || frameLength < 1)) {
            throw new TooLongFrameException("first frame of " + frameLength + " bytes is not a handover greeting");
        }
        return frameLength;
    }

    @Override
    protected ByteBuf extractFrame(ChannelHandlerContext ctx, ByteBuf buffer, int index, int length) {
        first = false;
        return super.extractFrame(ctx, buffer, index, length);
    }
}
