package dev.fiberio.examples.echo;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.examples.server.AcceptLoop;
import dev.fiberio.examples.server.BufferPool;
import dev.fiberio.net.FiberSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Echoes every byte back, one fiber per connection. */
public final class EchoServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EchoServer.class);

    private final AcceptLoop acceptor;
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();
    /** Read buffers, shared by the connections; one is held only while a connection has data. */
    private final BufferPool buffers = new BufferPool(256, 16 * 1024);

    /**
     * Binds and starts accepting.
     *
     * @param scheduler runs the fibers
     * @param address   where to listen
     * @throws IOException if binding fails
     */
    public EchoServer(FiberScheduler scheduler, InetSocketAddress address) throws IOException {
        this.acceptor = AcceptLoop.listen("echo-acceptor", scheduler, address, 4096, this::echo, LOG);
    }

    /**
     * The bound address.
     *
     * @return the local address
     * @throws IOException if closed
     */
    public InetSocketAddress address() throws IOException {
        return acceptor.address();
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

    /**
     * Serves one connection holding a buffer only while there is data: a read attempt into a pooled
     * buffer, and, when nothing has arrived, the buffer goes back and the fiber waits for readability
     * without one. An idle connection then costs its parked fiber and socket, not 16 KiB.
     */
    private void echo(FiberSocket s) {
        connections.incrementAndGet();
        long n = 0;
        try (s) {
            s.setOption(StandardSocketOptions.TCP_NODELAY, true);
            for (;;) {
                byte[] buf = buffers.take();
                int r;
                try {
                    r = s.tryRead(buf, 0, buf.length);
                    if (r > 0) {
                        s.write(buf, 0, r);
                        n += r;
                    }
                } finally {
                    buffers.give(buf);
                }
                if (r < 0) {
                    break;
                }
                if (r == 0) {
                    s.awaitReadable();
                }
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
        acceptor.close();
    }
}
