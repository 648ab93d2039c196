package dev.fiberio.bench.servers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * The echo server on JDK virtual threads, written like fiberio's example: one virtual thread per
 * connection, a 16 KiB buffer, read then write back.
 */
public final class VirtualThreadEchoServer {
    private VirtualThreadEchoServer() {
    }

    /**
     * Starts the server on the JVM's virtual-thread scheduler.
     *
     * @param options where to listen
     * @return the running server
     * @throws IOException if it cannot bind
     */
    public static BenchServer start(ServerOptions options) throws IOException {
        return VirtualThreadServer.start(options, VirtualThreadEchoServer::echo);
    }

    /**
     * Runs the server until the JVM stops, with {@code --threads} carriers.
     *
     * @param argv {@code --host}, {@code --port}, {@code --threads}
     * @throws Exception if it cannot start
     */
    public static void main(String[] argv) throws Exception {
        VirtualThreadServer.main("vthreads-echo", argv, VirtualThreadEchoServer::echo);
    }

    private static void echo(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        byte[] buf = new byte[16 * 1024];
        for (int n; (n = in.read(buf)) > 0; ) {
            out.write(buf, 0, n);
        }
    }
}
