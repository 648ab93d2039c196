package dev.fiberio.net.nio;

import dev.fiberio.net.spi.Deadlines;
import dev.fiberio.net.spi.ServerSocketHandle;
import dev.fiberio.net.spi.SocketErrors;
import dev.fiberio.net.spi.SocketHandle;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ServerSocketHandle} on a non-blocking {@link ServerSocketChannel}. Accepted channels are
 * registered with the poller of the acceptor's context. When the process runs out of file descriptors,
 * accept backs off for {@link #FD_EXHAUSTED_BACKOFF_MILLIS} (cut short by close) and logs at most once a
 * second, instead of spinning on a listener that stays readable.
 */
final class NioServerSocketHandle extends NioHandle<ServerSocketChannel> implements ServerSocketHandle {
    private static final Logger LOG = LoggerFactory.getLogger(NioServerSocketHandle.class);
    /** Back-off after EMFILE/ENFILE. */
    static final long FD_EXHAUSTED_BACKOFF_MILLIS = 50;
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** When fd exhaustion was last logged (any listener), for rate limiting; 0 = never. */
    private static final AtomicLong LAST_EXHAUSTION_LOG = new AtomicLong();

    NioServerSocketHandle(ServerSocketChannel channel, NioPoller poller) throws IOException {
        super(channel, poller);
    }

    @Override
    public void bind(SocketAddress local, int backlog) throws IOException {
        call(() -> channel.bind(local, backlog));
    }

    @Override
    public SocketHandle accept(long deadline) throws IOException {
        NioPoller target = NioPoller.forCaller();
        for (;;) {
            reg.ensureOpen();
            SocketChannel accepted;
            try {
                accepted = OutOfLine.call(channel::accept); // takes the channel's lock: see OutOfLine
            } catch (IOException e) {
                if (!NioErrors.isFdExhaustion(e)) {
                    throw reg.translate(e);
                }
                logExhaustion(e);
                reg.pause(Math.min(deadline, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FD_EXHAUSTED_BACKOFF_MILLIS)));
                accepted = null;
            }
            if (accepted != null) {
                SocketChannel ch = accepted; // owner: the new handle (closed here if building it fails)
                return NioHandle.adopt(ch, () -> new NioSocketHandle(ch, target));
            }
            if (Deadlines.hasPassed(deadline)) {
                throw SocketErrors.acceptTimedOut();
            }
            reg.await(SelectionKey.OP_ACCEPT, deadline);
        }
    }

    private void logExhaustion(IOException e) {
        long now = System.nanoTime();
        long last = LAST_EXHAUSTION_LOG.get();
        if ((last == 0 || now - last >= LOG_INTERVAL_NANOS) && LAST_EXHAUSTION_LOG.compareAndSet(last, now)) {
            LOG.warn("accept on {} failed: {}; backing off {} ms (logged at most once a second)",
                    channel, e.getMessage(), FD_EXHAUSTED_BACKOFF_MILLIS);
        }
    }
}
