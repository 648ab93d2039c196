package dev.fiberio.examples.http;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.examples.server.AcceptLoop;
import dev.fiberio.examples.server.BufferPool;
import dev.fiberio.net.FiberSocket;
import dev.fiberio.net.tls.FiberTlsSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/1.1 example server: one acceptor fiber, one fiber per connection, each running an
 * {@link HttpConnection} over a {@link FiberSocket}, within the sizes and timeouts of its
 * {@link HttpLimits}: idle keep-alive connections are closed after the idle timeout, a request that
 * does not arrive within the request timeout (a slowloris client) is answered 408, a client that does
 * not read its responses is dropped after the write timeout. With an {@link SSLContext} it serves
 * HTTPS: each connection is a {@link FiberTlsSocket} whose handshake runs on its first read, bounded by
 * the idle timeout; ALPN offers {@code http/1.1}.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
    /** How long, in all, a closing connection drains what the client still sends. */
    private static final Duration LINGER = Duration.ofSeconds(2);
    /** Arrays of each kind kept for reuse; more are allocated while more connections handle requests at once. */
    private static final int POOLED = 256;
    /** How much a closing connection drains at most. */
    private static final long LINGER_BYTES = 1 << 20;

    private final HttpLimits limits;
    private final SSLContext tls;
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AcceptLoop acceptor;
    /**
     * Request and response arrays shared by the connections: a connection holds them only while it
     * handles a request, so 10,000 keep-alive connections do not keep 200 MB of arrays alive (which the
     * garbage collector would copy, pausing every connection).
     */
    private final BufferPool inputs;
    private final BufferPool outputs = new BufferPool(POOLED, ResponseBuffer.INITIAL);

    /**
     * Binds and starts accepting, with the {@linkplain HttpLimits#defaults() default limits} but for the
     * idle timeout.
     *
     * @param scheduler   runs the fibers
     * @param address     where to listen
     * @param idleTimeout how long an idle connection is kept
     * @throws IOException if binding fails
     */
    public HttpServer(FiberScheduler scheduler, InetSocketAddress address, Duration idleTimeout) throws IOException {
        this(scheduler, address, HttpLimits.defaults().withIdleTimeout(idleTimeout));
    }

    /**
     * Binds and starts accepting.
     *
     * @param scheduler runs the fibers
     * @param address   where to listen
     * @param limits    sizes and timeouts of every connection
     * @throws IOException if binding fails
     */
    public HttpServer(FiberScheduler scheduler, InetSocketAddress address, HttpLimits limits) throws IOException {
        this(scheduler, address, limits, null);
    }

    /**
     * Binds and starts accepting, serving HTTPS if {@code tls} is given.
     *
     * @param scheduler runs the fibers
     * @param address   where to listen
     * @param limits    sizes and timeouts of every connection
     * @param tls       the server's TLS context, or null for plain HTTP
     * @throws IOException if binding fails
     */
    public HttpServer(FiberScheduler scheduler, InetSocketAddress address, HttpLimits limits, SSLContext tls) throws IOException {
        this.limits = limits;
        this.inputs = new BufferPool(POOLED, HttpConnection.inputSize(limits));
        this.tls = tls;
        this.acceptor = AcceptLoop.listen("http-acceptor", scheduler, address, 4096, this::serve, LOG);
    }
    /**
     * The bound address (useful with port 0).
     *
     * @return the local address
     * @throws IOException if the socket is closed
     */
    public InetSocketAddress address() throws IOException {
        return acceptor.address();
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

    private void serve(FiberSocket s) {
        connections.incrementAndGet();
        if (tls != null) {
            serveTls(s);
            return;
        }
        try (s) {
            s.setOption(StandardSocketOptions.TCP_NODELAY, true);
            s.setWriteTimeout(limits.writeTimeout());
            HttpConnection c = new HttpConnection(new SocketTransport(s), limits, inputs, outputs);
            requests.addAndGet(c.serve());
            lingeringClose(s);
        } catch (SocketTimeoutException e) {
            LOG.debug("connection timed out: {}", e.getMessage());
        } catch (IOException e) {
            LOG.debug("connection ended: {}", e.toString());
        }
    }

    /**
     * Serves one HTTPS connection. Closing sends close_notify; there is no lingering half-close as for
     * plain HTTP, because TLS has no half-close before TLS 1.3 and the client's close_notify answers it.
     */
    private void serveTls(FiberSocket s) {
        SSLParameters parameters = new SSLParameters();
        parameters.setApplicationProtocols(new String[] {"http/1.1"});
        try (s; FiberTlsSocket t = FiberTlsSocket.server(s, tls, parameters)) {
            s.setOption(StandardSocketOptions.TCP_NODELAY, true);
            t.setWriteTimeout(limits.writeTimeout());
            HttpConnection c = new HttpConnection(new TlsTransport(t), limits, inputs, outputs);
            requests.addAndGet(c.serve());
        } catch (SocketTimeoutException e) {
            LOG.debug("connection timed out: {}", e.getMessage());
        } catch (IOException e) {
            LOG.debug("connection ended: {}", e.toString());
        }
    }

    /**
     * Closes gracefully after the last response: half-close, then read and discard what the client
     * still sends, so that closing with unread input does not make the kernel answer with a reset that
     * would destroy the response before the client read it. Bounded in bytes and in total time (not per
     * read: a client trickling bytes must not keep the connection forever).
     */
    private static void lingeringClose(FiberSocket s) throws IOException {
        s.shutdownOutput();
        long deadline = System.nanoTime() + LINGER.toNanos();
        byte[] sink = new byte[2048];
        long drained = 0;
        while (drained < LINGER_BYTES) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            s.setReadTimeout(Duration.ofNanos(left));
            int n = s.read(sink, 0, sink.length);
            if (n < 0) {
                return;
            }
            drained += n;
        }
    }

    /** Stops accepting; connections in progress end with the scheduler. */
    @Override
    public void close() {
        acceptor.close();
    }
}
