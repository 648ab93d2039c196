package dev.fiberio.bench.servers;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * The Netty 4.2 epoll equivalent of fiberio's HTTP example: {@code GET /} (and {@code /plaintext})
 * answers {@code Hello, World!} as text/plain, {@code /json} a small JSON object, other paths 404 and
 * other methods 405, with the same headers (Server, Date, Content-Type, Content-Length). Keep-alive
 * and pipelining as in the example: the responses to one read batch are flushed together.
 */
public final class NettyHttpServer {
    private static final byte[] PLAINTEXT = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] JSON = "{\"message\":\"Hello, World!\"}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NOT_FOUND = "Not Found".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NOT_ALLOWED = "Method Not Allowed".getBytes(StandardCharsets.US_ASCII);
    private static final AsciiString SERVER = AsciiString.cached("netty");

    private NettyHttpServer() {
    }

    /**
     * Starts the server.
     *
     * @param options where and with how many event loops
     * @return the running server
     * @throws InterruptedException if interrupted while binding
     */
    public static BenchServer start(ServerOptions options) throws InterruptedException {
        HttpHandler handler = new HttpHandler();
        return NettyServer.start(options, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpServerCodec(), handler);
            }
        });
    }

    /**
     * Runs the server until the JVM stops.
     *
     * @param argv {@code --host}, {@code --port}, {@code --threads}
     * @throws Exception if it cannot start
     */
    public static void main(String[] argv) throws Exception {
        ServerLauncher.run("netty-http", argv, NettyHttpServer::start);
    }

    /** Answers each request head; bodies (HttpContent) are released unread. Stateless and shared. */
    @ChannelHandler.Sharable
    static final class HttpHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpRequest req) {
                    respond(ctx, req);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        private static void respond(ChannelHandlerContext ctx, HttpRequest req) {
            if (req.decoderResult().isFailure()) {
                send(ctx, HttpResponseStatus.BAD_REQUEST, HttpHeaderValues.TEXT_PLAIN,
                        "Bad Request".getBytes(StandardCharsets.US_ASCII), false, false);
                return;
            }
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            boolean head = req.method().equals(HttpMethod.HEAD);
            if (!head && !req.method().equals(HttpMethod.GET)) {
                send(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, HttpHeaderValues.TEXT_PLAIN, NOT_ALLOWED, false, keepAlive);
                return;
            }
            String path = req.uri();
            int q = path.indexOf('?');
            if (q >= 0) {
                path = path.substring(0, q);
            }
            switch (path) {
                case "/", "/plaintext" ->
                        send(ctx, HttpResponseStatus.OK, HttpHeaderValues.TEXT_PLAIN, PLAINTEXT, head, keepAlive);
                case "/json" ->
                        send(ctx, HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON, JSON, head, keepAlive);
                default -> send(ctx, HttpResponseStatus.NOT_FOUND, HttpHeaderValues.TEXT_PLAIN, NOT_FOUND, head, keepAlive);
            }
        }

        private static void send(ChannelHandlerContext ctx, HttpResponseStatus status, AsciiString type,
                                 byte[] body, boolean head, boolean keepAlive) {
            ByteBuf content = head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
            HttpHeaders h = res.headers();
            h.set(HttpHeaderNames.SERVER, SERVER);
            h.set(HttpHeaderNames.DATE, DateHeader.now());
            h.set(HttpHeaderNames.CONTENT_TYPE, type);
            h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            if (status.equals(HttpResponseStatus.METHOD_NOT_ALLOWED)) {
                h.set(HttpHeaderNames.ALLOW, "GET, HEAD");
            }
            if (keepAlive) {
                ctx.write(res, ctx.voidPromise());
            } else {
                h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
