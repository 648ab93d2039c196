package dev.fiberio.examples.proxy;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import dev.fiberio.examples.server.AcceptLoop;
import dev.fiberio.net.FiberSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards each accepted connection to a target: two fibers per connection, one per direction; when
 * one side ends its output, the proxy shuts down output towards the other side (half-close), and the
 * pair is closed when both directions are done or one fails.
 */
public final class TcpProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TcpProxy.class);

    private final FiberScheduler scheduler;
    private final InetSocketAddress target;
    private final AcceptLoop acceptor;

    /**
     * Binds and starts accepting.
     *
     * @param scheduler runs the fibers
     * @param listen    where to listen
     * @param target    where to forward
     * @throws IOException if binding fails
     */
    public TcpProxy(FiberScheduler scheduler, InetSocketAddress listen, InetSocketAddress target) throws IOException {
        this.scheduler = scheduler;
        this.target = target;
        this.acceptor = AcceptLoop.listen("proxy-acceptor", scheduler, listen, 1024, this::connect, LOG);
    }

    /**
     * The bound address.
     *
     * @return the listening address
     * @throws IOException if closed
     */
    public InetSocketAddress address() throws IOException {
        return acceptor.address();
    }

    /**
     * The forwarding target.
     *
     * @return the target address
     */
    public InetSocketAddress target() {
        return target;
    }

    private void connect(FiberSocket client) {
        FiberSocket upstream = FiberSocket.open();
        try {
            upstream.connect(target, Duration.ofSeconds(10));
            Fiber back = scheduler.spawn(() -> pump(upstream, client));
            pump(client, upstream);
            back.join();
        } catch (IOException | RuntimeException e) {
            LOG.debug("proxy connection ended: {}", e.toString());
        } finally {
            closeQuietly(client);
            closeQuietly(upstream);
        }
    }

    /** Copies until end of stream, then half-closes the destination; on error closes both. */
    private static void pump(FiberSocket from, FiberSocket to) {
        byte[] buf = new byte[16 * 1024];
        try {
            for (int n; (n = from.read(buf, 0, buf.length)) > 0; ) {
                to.write(buf, 0, n);
            }
            to.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(FiberSocket s) {
        try {
            s.close();
        } catch (IOException e) {
            LOG.debug("close failed", e);
        }
    }

    /** Stops accepting. */
    @Override
    public void close() {
        acceptor.close();
    }
}
