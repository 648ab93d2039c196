package dev.fiberio.bench.servers;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The echo server on Netty epoll: every buffer read is written back, and the writes of one read
 * batch are flushed once, when the batch ends.
 */
public final class NettyEchoServer {
    private NettyEchoServer() {
    }

    /**
     * Starts the server.
     *
     * @param options where and with how many event loops
     * @return the running server
     * @throws InterruptedException if interrupted while binding
     */
    public static BenchServer start(ServerOptions options) throws InterruptedException {
        return NettyServer.start(options, new EchoHandler());
    }

    /**
     * Runs the server until the JVM stops.
     *
     * @param argv {@code --host}, {@code --port}, {@code --threads}
     * @throws Exception if it cannot start
     */
    public static void main(String[] argv) throws Exception {
        ServerLauncher.run("netty-echo", argv, NettyEchoServer::start);
    }

    /** Writes back what it reads; stateless, so one instance serves every connection. */
    @ChannelHandler.Sharable
    static final class EchoHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
