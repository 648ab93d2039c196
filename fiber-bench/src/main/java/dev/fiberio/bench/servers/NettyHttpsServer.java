package dev.fiberio.bench.servers;

import dev.fiberio.examples.http.TlsSetup;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import java.util.List;

/**
 * {@link NettyHttpServer} behind Netty's {@code SslHandler} on the JDK provider ({@link JdkSslContext}
 * over the same kind of JDK {@code SSLContext} as {@link FiberioHttpsServer}'s).
 */
public final class NettyHttpsServer {
    private NettyHttpsServer() {
    }

    /**
     * Starts the server.
     *
     * @param options where and with how many event loops
     * @return the running server
     * @throws Exception if it cannot bind or make the certificate
     */
    public static BenchServer start(ServerOptions options) throws Exception {
        SslContext tls = new JdkSslContext(TlsSetup.selfSigned(List.of("localhost", "127.0.0.1")).context(), false, ClientAuth.NONE);
        NettyHttpServer.HttpHandler handler = new NettyHttpServer.HttpHandler();
        return NettyServer.start(options, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(tls.newHandler(ch.alloc()), new HttpServerCodec(), handler);
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
        ServerLauncher.run("netty-https", argv, NettyHttpsServer::start);
    }
}
