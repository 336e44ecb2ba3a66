package io.sluice.health;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Sends the HTTP check's request when connected and ends the probe on the response's status line
 * ({@code HTTP/1.x SP 3DIGIT SP reason CRLF}, RFC 9112 §4). Reads at most {@value #MAX_STATUS_LINE}
 * bytes: a longer first line is not HTTP. Releases every buffer it reads.
 */
final class HttpStatusHandler extends ChannelInboundHandlerAdapter {

    static final int MAX_STATUS_LINE = 1024;

    private final byte[] request;
    private final int statusMin;
    private final int statusMax;
    private final Probe probe;
    private final StringBuilder line = new StringBuilder(32);
    private boolean finished;

    HttpStatusHandler(byte[] request, int statusMin, int statusMax, Probe probe) {
        this.request = request;
        this.statusMin = statusMin;
        this.statusMax = statusMax;
        this.probe = probe;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(ctx.alloc().buffer(request.length).writeBytes(request), ctx.voidPromise());
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (finished || !(msg instanceof ByteBuf buf)) {
                return;
            }
            while (buf.isReadable()) {
                char c = (char) (buf.readByte() & 0xff);
                if (c == '\n') {
                    finish(status(line));
                    return;
                }
                if (line.length() >= MAX_STATUS_LINE) {
                    finish(CheckResults.HTTP_BAD_RESPONSE);
                    return;
                }
                line.append(c);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void finish(String result) {
        finished = true;
        probe.finish(result);
    }

    private String status(CharSequence statusLine) {
        int code = parseStatus(statusLine);
        if (code < 0) {
            return CheckResults.HTTP_BAD_RESPONSE;
        }
        return code >= statusMin && code <= statusMax ? CheckResults.OK : CheckResults.http(code);
    }

    /** The status code of {@code HTTP/1.x NNN ...} (the CR, if any, still at the end), or -1. */
    static int parseStatus(CharSequence s) {
        // "HTTP/1.1 200" is 12 characters; the reason phrase may be empty.
        if (s.length() < 12 || !s.subSequence(0, 7).toString().equals("HTTP/1.")
                || !Character.isDigit(s.charAt(7)) || s.charAt(8) != ' ') {
            return -1;
        }
        int code = 0;
        for (int i = 9; i < 12; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            code = code * 10 + (c - '0');
        }
        if (s.length() > 12 && s.charAt(12) != ' ' && s.charAt(12) != '\r') {
            return -1;
        }
        return code >= 100 ? code : -1;
    }
}
