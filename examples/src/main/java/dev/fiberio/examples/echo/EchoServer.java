package dev.fiberio.examples.echo;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import dev.fiberio.net.FiberServerSocket;
import dev.fiberio.net.FiberSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Echoes every byte back, one fiber per connection. */
public final class EchoServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EchoServer.class);

    private final FiberScheduler scheduler;
    private final FiberServerSocket server;
    private final Fiber acceptor;
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();

    /**
     * Binds and starts accepting.
     *
     * @param scheduler runs the fibers
     * @param address   where to listen
     * @throws IOException if binding fails
     */
    public EchoServer(FiberScheduler scheduler, InetSocketAddress address) throws IOException {
        this.scheduler = scheduler;
        this.server = FiberServerSocket.open();
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(address, 4096);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        this.acceptor = scheduler.spawn("echo-acceptor", this::acceptLoop);
    }

    /**
     * The bound address.
     *
     * @return the local address
     * @throws IOException if closed
     */
    public InetSocketAddress address() throws IOException {
        return server.localAddress();
    }

    /**
     * Bytes echoed so far (counted when a connection ends).
     *
     * @return the count
     */
    public long bytesEchoed() {
        return bytes.get();
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
            } catch (IOException e) {
                if (server.isOpen()) {
                    LOG.warn("accept failed", e);
                    continue;
                }
                return;
            }
            connections.incrementAndGet();
            try {
                scheduler.spawn(() -> echo(s));
            } catch (RuntimeException e) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    LOG.debug("close failed", ignored);
                }
                return;
            }
        }
    }

    private void echo(FiberSocket s) {
        long n = 0;
        try (s) {
            s.setOption(StandardSocketOptions.TCP_NODELAY, true);
            byte[] buf = new byte[16 * 1024];
            for (int r; (r = s.read(buf, 0, buf.length)) > 0; ) {
                s.write(buf, 0, r);
                n += r;
            }
        } catch (IOException e) {
            LOG.debug("echo connection ended: {}", e.toString());
        } finally {
            bytes.addAndGet(n);
        }
    }

    /** Stops accepting; connections in progress end with the scheduler. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("close failed", e);
        }
        acceptor.join(Duration.ofSeconds(5));
    }
}
