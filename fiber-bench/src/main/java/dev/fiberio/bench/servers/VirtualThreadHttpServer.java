package dev.fiberio.bench.servers;

import dev.fiberio.examples.http.HttpConnection;
import java.io.IOException;
import java.net.Socket;

/**
 * fiberio's blocking HTTP handler ({@link HttpConnection}, unchanged) on JDK virtual threads: one
 * virtual thread per connection over {@link java.net.ServerSocket}, with the example's limits (8 KiB
 * head, 1 MiB body) and 30 s idle timeout.
 */
public final class VirtualThreadHttpServer {
    /** The example server's largest request head (HttpServer.MAX_HEAD). */
    static final int MAX_HEAD = 8 * 1024;
    /** The example server's largest request body (HttpServer.MAX_BODY). */
    static final long MAX_BODY = 1024 * 1024;
    private static final int IDLE_TIMEOUT_MILLIS = 30_000;

    private VirtualThreadHttpServer() {
    }

    /**
     * Starts the server on the JVM's virtual-thread scheduler.
     *
     * @param options where to listen
     * @return the running server
     * @throws IOException if it cannot bind
     */
    public static BenchServer start(ServerOptions options) throws IOException {
        return VirtualThreadServer.start(options, VirtualThreadHttpServer::serve);
    }

    /**
     * Runs the server until the JVM stops, with {@code --threads} carriers.
     *
     * @param argv {@code --host}, {@code --port}, {@code --threads}
     * @throws Exception if it cannot start
     */
    public static void main(String[] argv) throws Exception {
        VirtualThreadServer.main("vthreads-http", argv, VirtualThreadHttpServer::serve);
    }

    private static void serve(Socket s) throws IOException {
        s.setSoTimeout(IDLE_TIMEOUT_MILLIS);
        new HttpConnection(new SocketTransport(s), MAX_HEAD, MAX_BODY).serve();
    }
}
