package dev.fiberio.bench.servers;

import dev.fiberio.examples.http.HttpLimits;
import dev.fiberio.examples.http.HttpServer;
import dev.fiberio.examples.http.TlsSetup;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;

/**
 * fiberio's HTTP example serving HTTPS: {@link HttpServer} with a TLS context, every connection a
 * {@code FiberTlsSocket} on the JDK's {@code SSLEngine}; a self-signed ECDSA P-256 certificate made at
 * start ({@link TlsSetup}), the same as {@link NettyHttpsServer}'s.
 */
public final class FiberioHttpsServer {
    private FiberioHttpsServer() {
    }

    /**
     * Starts the server.
     *
     * @param options where and with how many workers
     * @return the running server
     * @throws IOException              if it cannot bind or make the certificate
     * @throws GeneralSecurityException if the certificate cannot be used
     */
    public static BenchServer start(ServerOptions options) throws IOException, GeneralSecurityException {
        var tls = TlsSetup.selfSigned(List.of("localhost", "127.0.0.1")).context();
        return FiberioServer.start("fiberio-https", options, (scheduler, address) -> {
            HttpServer server = new HttpServer(scheduler, address, HttpLimits.defaults().withIdleTimeout(Duration.ofSeconds(30)), tls);
            return new FiberioServer.Running(server.address().getPort(), server::close);
        });
    }

    /**
     * Runs the server until the JVM stops.
     *
     * @param argv {@code --host}, {@code --port}, {@code --threads}
     * @throws Exception if it cannot start
     */
    public static void main(String[] argv) throws Exception {
        ServerLauncher.run("fiberio-https", argv, FiberioHttpsServer::start);
    }
}
