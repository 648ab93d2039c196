package dev.fiberio.bench.servers;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ServerSocket} with one virtual thread per connection running a blocking handler, as a
 * JDK 21+ application would write it. The acceptor is a virtual thread as well. The carrier count is
 * the JDK's {@code jdk.virtualThreadScheduler.parallelism}, which {@link #main} sets from
 * {@code --threads} before the first virtual thread exists.
 *
 * <p>Threads: the acceptor adds each socket to {@code open} and starts its connection thread; the
 * connection thread removes it when done; {@link #close()} closes the listener and every open socket,
 * which ends the blocked handlers.
 */
final class VirtualThreadServer implements BenchServer {
    private static final Logger LOG = LoggerFactory.getLogger(VirtualThreadServer.class);

    /** Serves one accepted connection; the server closes the socket afterwards. */
    @FunctionalInterface
    interface Handler {
        /**
         * Serves until the peer is done.
         *
         * @param socket the connection
         * @throws IOException on I/O failure
         */
        void serve(Socket socket) throws IOException;
    }

    private final ServerSocket listener;
    private final Handler handler;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    private VirtualThreadServer(ServerSocket listener, Handler handler) {
        this.listener = listener;
        this.handler = handler;
        this.acceptor = Thread.ofVirtual().name("vt-acceptor").start(this::acceptLoop);
    }

    /**
     * The {@code main} of a virtual-thread server: sets the carrier count from {@code --threads} (the
     * JDK reads it when the first virtual thread starts, so before anything else), then runs the
     * server until the JVM stops.
     *
     * @param name    the contender's name
     * @param argv    the command line
     * @param handler serves each connection
     * @throws Exception if the server cannot start
     */
    static void main(String name, String[] argv, Handler handler) throws Exception {
        ServerLauncher.run(name, argv, options -> {
            System.setProperty("jdk.virtualThreadScheduler.parallelism", Integer.toString(options.threads()));
            return start(options, handler);
        });
    }

    /**
     * Binds (backlog 4096, like fiberio's servers) and starts accepting.
     *
     * @param options where to listen
     * @param handler serves each connection
     * @return the running server
     * @throws IOException if it cannot bind
     */
    static VirtualThreadServer start(ServerOptions options, Handler handler) throws IOException {
        ServerSocket listener = new ServerSocket();
        try {
            listener.setReuseAddress(true);
            listener.bind(options.address(), 4096);
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
        return new VirtualThreadServer(listener, handler);
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    LOG.warn("accept failed", e);
                }
                continue;
            }
            open.add(s);
            Thread.ofVirtual().start(() -> serve(s));
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setTcpNoDelay(true);
            handler.serve(s);
        } catch (IOException e) {
            LOG.debug("connection ended: {}", e.toString());
        } finally {
            open.remove(s);
        }
    }

    @Override
    public int port() {
        return listener.getLocalPort();
    }

    @Override
    public void close() {
        try {
            listener.close();
            for (Socket s : open) {
                s.close();
            }
            acceptor.join();
        } catch (IOException e) {
            LOG.debug("close failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
