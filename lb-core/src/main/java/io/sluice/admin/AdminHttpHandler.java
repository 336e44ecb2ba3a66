package io.sluice.admin;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.sluice.adminapi.ProblemType;
import io.sluice.logging.ThrottledLog;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers one aggregated admin request at a time per connection.
 *
 * <p>Threads: added to the pipeline with the admin server's {@code DefaultEventExecutorGroup}, so
 * {@link #channelRead0} (and with it every {@link AdminOperations} call and all JSON work) runs on
 * a {@code sluice-admin-*} thread, never on an event loop. Each connection is pinned to one of those
 * threads, so responses leave in request order, as HTTP/1.1 pipelining requires.
 *
 * <p>Buffers: the request is released by {@link SimpleChannelInboundHandler} after
 * {@link #channelRead0}; its body is copied out first. Responses wrap heap arrays.
 */
@Sharable
final class AdminHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(AdminHttpHandler.class);

    /** Status page only: no external resources, no framing (the buttons mutate), fetch to ourselves. */
    private static final String PAGE_POLICY = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
            + "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /** Probes from an orchestrator name the pod's address as Host; up or ready tells a rebinding page nothing. */
    private static final List<String> ANY_HOST_PATHS = List.of("/healthz", "/readyz");

    private final AdminRouter router;
    private final AllowedHosts hosts;
    private final ThrottledLog refusedHosts = new ThrottledLog(log, TimeUnit.SECONDS.toNanos(10));

    AdminHttpHandler(AdminRouter router, AllowedHosts hosts) {
        this.router = router;
        this.hosts = hosts;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        String path = pathOf(request.uri());
        if (!request.decoderResult().isSuccess()) {
            // The codec could not parse it (bad request line, headers too long): the stream is lost, so close.
            ApiProblem problem = ApiProblem.badRequest("malformed HTTP request: " + request.decoderResult().cause().getMessage());
            send(ctx, AdminResponse.problem(problem, path), false, false);
            return;
        }
        boolean head = request.method().equals(HttpMethod.HEAD);
        String host = request.headers().get(HttpHeaderNames.HOST);
        int port = ((InetSocketAddress) ctx.channel().localAddress()).getPort();
        if (!ANY_HOST_PATHS.contains(path) && !hosts.allows(host, port)) {
            refusedHosts.warn("admin api: refused {} {} from {} for Host '{}', which is not in admin.allowed-hosts"
                    + " (a web page using DNS rebinding, or a name to add there)", request.method(), path,
                    ctx.channel().remoteAddress(), host);
            ApiProblem problem = new ApiProblem(ProblemType.HOST_NOT_ALLOWED, "this admin API does not answer for Host '"
                    + host + "': add the name to admin.allowed-hosts (by default it answers localhost, 127.0.0.1, [::1]"
                    + " and the admin.bind address)");
            send(ctx, AdminResponse.problem(problem, path), keepAlive, head);
            return;
        }
        AdminResponse response;
        try {
            response = router.handle(toAdminRequest(ctx, request, path));
        } catch (ApiProblem problem) {
            response = AdminResponse.problem(problem, path);
        } catch (AdminOperations.NotFoundException e) {
            response = AdminResponse.problem(ApiProblem.notFound(e.getMessage()), path);
        } catch (IllegalArgumentException e) {
            response = AdminResponse.problem(ApiProblem.badRequest(e.getMessage()), path);
        } catch (RuntimeException | Error e) {
            // The client gets a generic detail; the daemon log gets the stack trace.
            log.error("admin api: {} {} failed", request.method(), path, e);
            response = AdminResponse.problem(
                    new ApiProblem(ProblemType.INTERNAL, "internal error; the daemon log has the details"), path);
        }
        send(ctx, response, keepAlive, head);
    }

    private static AdminRequest toAdminRequest(ChannelHandlerContext ctx, FullHttpRequest request, String path) {
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        List<String> segments = new ArrayList<>();
        for (String raw : path.split("/")) {
            if (!raw.isEmpty()) {
                segments.add(QueryStringDecoder.decodeComponent(raw));
            }
        }
        SocketAddress remote = ctx.channel().remoteAddress();
        return new AdminRequest(
                request.method(),
                path,
                List.copyOf(segments),
                query.parameters(),
                request.headers().get(HttpHeaderNames.AUTHORIZATION),
                ByteBufUtil.getBytes(request.content()),
                String.valueOf(remote));
    }

    /** The raw path of a request target, without query or fragment. */
    static String pathOf(String uri) {
        int end = uri.length();
        int q = uri.indexOf('?');
        if (q >= 0) {
            end = q;
        }
        int f = uri.indexOf('#');
        if (f >= 0 && f < end) {
            end = f;
        }
        String path = uri.substring(0, end);
        return path.isEmpty() ? "/" : path;
    }

    /** Writes {@code response}; with {@code keepAlive} false the connection is closed once it is flushed. */
    static void send(ChannelHandlerContext ctx, AdminResponse response, boolean keepAlive, boolean head) {
        FullHttpResponse out = toNetty(response, head);
        HttpUtil.setKeepAlive(out, keepAlive);
        var written = ctx.writeAndFlush(out);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    static FullHttpResponse toNetty(AdminResponse response, boolean head) {
        FullHttpResponse out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, response.status(),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(response.body()));
        out.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, response.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.body().length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .set("X-Content-Type-Options", "nosniff");
        if (response.contentType().equals(AdminResponse.HTML)) {
            out.headers().set(HttpHeaderNames.CONTENT_SECURITY_POLICY, PAGE_POLICY);
        }
        response.headers().forEach(out.headers()::set);
        return out;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("admin api connection {} failed", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
