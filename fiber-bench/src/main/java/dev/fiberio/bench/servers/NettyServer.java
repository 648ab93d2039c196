package dev.fiberio.bench.servers;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A Netty 4.2 server on the native epoll transport (or its io_uring transport, with
 * {@code -Dfiberio.bench.netty.transport=io_uring}) with one event-loop group of {@code --threads}
 * loops that both accepts and serves (so the thread count matches the other contenders'), a 4096
 * backlog like fiberio's servers, and {@code TCP_NODELAY} on every connection.
 */
final class NettyServer implements BenchServer {
    /** {@code -Dfiberio.bench.netty.transport=io_uring} selects Netty's io_uring transport instead of epoll. */
    static final String TRANSPORT_PROPERTY = "fiberio.bench.netty.transport";
    private final EventLoopGroup group;
    private final Channel listener;

    private NettyServer(EventLoopGroup group, Channel listener) {
        this.group = group;
        this.listener = listener;
    }

    /**
     * Binds and starts serving.
     *
     * @param options      where and with how many event loops
     * @param childHandler installed on every accepted connection
     * @return the running server
     * @throws InterruptedException if interrupted while binding
     * @throws IllegalStateException if the native epoll transport cannot load
     */
    static NettyServer start(ServerOptions options, ChannelHandler childHandler) throws InterruptedException {
        boolean uring = "io_uring".equals(System.getProperty(TRANSPORT_PROPERTY, "epoll"));
        if (uring && !IoUring.isAvailable()) {
            throw new IllegalStateException("Netty's io_uring transport is unavailable", IoUring.unavailabilityCause());
        }
        if (!uring && !Epoll.isAvailable()) {
            throw new IllegalStateException("Netty's native epoll transport is unavailable", Epoll.unavailabilityCause());
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(options.threads(),
                uring ? IoUringIoHandler.newFactory() : EpollIoHandler.newFactory());
        try {
            Channel listener = new ServerBootstrap()
                    .group(group)
                    .channel(uring ? IoUringServerSocketChannel.class : EpollServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(childHandler)
                    .bind(options.address()).sync().channel();
            return new NettyServer(group, listener);
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    @Override
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    @Override
    public void close() {
        listener.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
