package dev.fiberio.examples.http;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import dev.fiberio.net.FiberServerSocket;
import dev.fiberio.net.FiberSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/1.1 example server: one acceptor fiber, one fiber per connection, each running an
 * {@link HttpConnection} over a {@link FiberSocket}. Idle keep-alive connections are closed after the
 * idle timeout.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
    static final int MAX_HEAD = 8 * 1024;
    static final long MAX_BODY = 1024 * 1024;

    private final FiberScheduler scheduler;
    private final FiberServerSocket server;
    private final Duration idleTimeout;
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final Fiber acceptor;

    /**
     * Binds and starts accepting.
     *
     * @param scheduler   runs the fibers
     * @param address     where to listen
     * @param idleTimeout how long an idle connection is kept
     * @throws IOException if binding fails
     */
    public HttpServer(FiberScheduler scheduler, InetSocketAddress address, Duration idleTimeout) throws IOException {
        this.scheduler = scheduler;
        this.idleTimeout = idleTimeout;
        this.server = FiberServerSocket.open();
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(address, 4096);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        this.acceptor = scheduler.spawn("http-acceptor", this::acceptLoop);
    }

    /**
     * The bound address (useful with port 0).
     *
     * @return the local address
     * @throws IOException if the socket is closed
     */
    public InetSocketAddress address() throws IOException {
        return server.localAddress();
    }

    /**
     * Requests answered so far.
     *
     * @return the count
     */
    public long requests() {
        return requests.get();
    }

    /**
     * Connections accepted so far.
     *
     * @return the count
     */
    public long connections() {
        return connections.get();
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            FiberSocket s;
            try {
                s = server.accept();
            } catch (SocketException e) {
                if (!server.isOpen()) {
                    return; // closed: shutting down
                }
                LOG.warn("accept failed", e);
                continue;
            } catch (IOException e) {
                LOG.warn("accept failed", e);
                continue;
            }
            connections.incrementAndGet();
            try {
                scheduler.spawn(() -> serve(s));
            } catch (RuntimeException e) { // scheduler closing
                closeQuietly(s);
                return;
            }
        }
    }

    private void serve(FiberSocket s) {
        try (s) {
            s.setOption(StandardSocketOptions.TCP_NODELAY, true);
            s.setReadTimeout(idleTimeout);
            HttpConnection c = new HttpConnection(new Transport() {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return s.read(b, off, len);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    s.write(b, off, len);
                }
            }, MAX_HEAD, MAX_BODY);
            requests.addAndGet(c.serve());
            lingeringClose(s);
        } catch (SocketTimeoutException e) {
            LOG.debug("idle connection closed");
        } catch (IOException e) {
            LOG.debug("connection ended: {}", e.toString());
        }
    }

    /**
     * Closes gracefully after the last response: half-close, then read and discard what the client
     * still sends (bounded in bytes and time), so that closing with unread input does not make the
     * kernel answer with a reset that would destroy the response before the client read it.
     */
    private static void lingeringClose(FiberSocket s) throws IOException {
        s.shutdownOutput();
        s.setReadTimeout(Duration.ofSeconds(2));
        byte[] sink = new byte[8192];
        long drained = 0;
        for (int n; drained < 1 << 20 && (n = s.read(sink, 0, sink.length)) > 0; ) {
            drained += n;
        }
    }

    /** Stops accepting; connections in progress end with the scheduler. */
    @Override
    public void close() {
        closeQuietly(server);
        acceptor.join(Duration.ofSeconds(5));
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            LOG.debug("close failed", e);
        }
    }
}
