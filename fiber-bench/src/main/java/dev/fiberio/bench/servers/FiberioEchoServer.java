package dev.fiberio.bench.servers;

import dev.fiberio.examples.echo.EchoServer;
import java.io.IOException;

/**
 * fiberio's echo example ({@link EchoServer}: one fiber per connection, a 16 KiB buffer, read then
 * write) on a scheduler with {@code --threads} workers.
 */
public final class FiberioEchoServer {
    private FiberioEchoServer() {
    }

    /**
     * Starts the server.
     *
     * @param options where and with how many workers
     * @return the running server
     * @throws IOException if it cannot bind
     */
    public static BenchServer start(ServerOptions options) throws IOException {
        return FiberioServer.start("fiberio-echo", options, (scheduler, address) -> {
            EchoServer server = new EchoServer(scheduler, address);
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
        ServerLauncher.run("fiberio-echo", argv, FiberioEchoServer::start);
    }
}
