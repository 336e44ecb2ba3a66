package io.sluice.admin;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.sluice.adminapi.ProblemType;

/**
 * Netty's aggregator with the admin API's 413: a problem document instead of an empty body.
 *
 * <p>Runs on the event loop (it only writes a ready-made answer). Whether the connection stays open
 * follows Netty's own rule: a body already partly aggregated, or a request that is neither
 * keep-alive nor waiting for 100-continue, closes it; otherwise the aggregator discards the rest of
 * the body and the connection carries on. The oversized message is released by the aggregator.
 */
final class BodyLimitAggregator extends HttpObjectAggregator {

    BodyLimitAggregator(int maxContentLength) {
        super(maxContentLength);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
        if (!(oversized instanceof HttpRequest request)) {
            super.handleOversizedMessage(ctx, oversized);
            return;
        }
        boolean close = oversized instanceof FullHttpMessage
                || (!HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized));
        ApiProblem problem = new ApiProblem(ProblemType.CONTENT_TOO_LARGE,
                "the request body is larger than " + maxContentLength() / 1024 + " KiB");
        var answer = AdminHttpHandler.toNetty(AdminResponse.problem(problem, AdminHttpHandler.pathOf(request.uri())), false);
        HttpUtil.setKeepAlive(answer, !close);
        var written = ctx.writeAndFlush(answer);
        written.addListener(close ? ChannelFutureListener.CLOSE : ChannelFutureListener.CLOSE_ON_FAILURE);
    }
}
