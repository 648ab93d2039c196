package dev.fiberio.bench.servers;

import dev.fiberio.examples.http.HttpServer;
import java.io.IOException;
import java.time.Duration;

/**
 * fiberio's HTTP example ({@link HttpServer}: one fiber per connection running
 * {@link dev.fiberio.examples.http.HttpConnection} over a {@code FiberSocket}, 30 s idle timeout) on a
 * scheduler with {@code --threads} workers.
 */
public final class FiberioHttpServer {
    private FiberioHttpServer() {
    }

    /**
     * Starts the server.
     *
     * @param options where and with how many workers
     * @return the running server
     * @throws IOException if it cannot bind
     */
    public static BenchServer start(ServerOptions options) throws IOException {
        return FiberioServer.start("fiberio-http", options, (scheduler, address) -> {
            HttpServer server = new HttpServer(scheduler, address, Duration.ofSeconds(30));
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
        ServerLauncher.run("fiberio-http", argv, FiberioHttpServer::start);
    }
}
