package dev.fiberio.net.nio;

import dev.fiberio.core.spi.WaitSlot;
import dev.fiberio.net.spi.Deadlines;
import dev.fiberio.net.spi.SocketErrors;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A channel's registration with its {@link NioPoller}: the selection key, the wait slots of the read
 * side ({@code OP_READ}, {@code OP_ACCEPT}) and of the write side ({@code OP_WRITE},
 * {@code OP_CONNECT}), and the closed state. Shared by {@link NioSocketHandle} and
 * {@link NioServerSocketHandle}.
 *
 * <h2>Implementation overview</h2>
 * <ul>
 *   <li>{@code readSlot} is waited on only by the one reader (or acceptor), {@code writeSlot} only by
 *       the one writer (or connector): the SPI's one-reader-one-writer contract keeps each slot to one
 *       waiter. Both are signalled by the poller thread ({@link #ready}) and by {@link #close()} (any
 *       thread).</li>
 *   <li>{@code readReadiness} counts the read-side readiness the poller reported (written only by the
 *       poller thread, before it signals {@code readSlot}). {@link #awaitReadable} compares it with the
 *       count it saw before asking for readiness, which tells a real readiness from a stale permit left
 *       in {@code readSlot} (by a timed-out read, say) without touching the channel.</li>
 *   <li>{@code closeReason} is null while open; set once (CAS) to {@code ""} by the owner's
 *       {@link #close()}, or to a reason by the poller's shutdown. Whoever wins closes the channel and
 *       then signals both slots (leaving permits), so a waiter that checked "open" just before the
 *       close still wakes; every waiter re-checks {@code closeReason} after waking.</li>
 * </ul>
 */
final class NioRegistration {
    private static final Logger LOG = LoggerFactory.getLogger(NioRegistration.class);
    private static final int READ_SIDE = SelectionKey.OP_READ | SelectionKey.OP_ACCEPT;
    private static final int WRITE_SIDE = SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT;
    private static final String CLOSED_BY_OWNER = "";
    private static final VarHandle CLOSE_REASON;

    static {
        try {
            CLOSE_REASON = MethodHandles.lookup().findVarHandle(NioRegistration.class, "closeReason", String.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final NioPoller poller;
    private final SelectableChannel channel;
    private final SelectionKey key;
    private final WaitSlot readSlot = new WaitSlot();
    private final WaitSlot writeSlot = new WaitSlot();
    @SuppressWarnings("unused") // accessed through CLOSE_REASON
    private volatile String closeReason;
    /** Read-side readiness reports so far; only the poller thread writes it (see the class comment). */
    private volatile long readReadiness;

    NioRegistration(NioPoller poller, SelectableChannel channel, SelectionKey key) {
        this.poller = poller;
        this.channel = channel;
        this.key = key;
    }

    boolean isOpen() {
        return volatileCloseReason() == null;
    }

    /**
     * Throws the "Socket closed" exception if closed.
     *
     * @throws SocketException if closed
     */
    void ensureOpen() throws SocketException {
        String why = volatileCloseReason();
        if (why != null) {
            throw closedException(why);
        }
    }

    /**
     * Waits once until one of {@code ops} may be ready, the deadline passes, or the channel is closed;
     * the caller then retries its non-blocking call (and checks its deadline).
     *
     * @param ops      the operation to wait for (its side's slot is used)
     * @param deadline an absolute deadline or {@link Deadlines#NO_DEADLINE}
     * @throws SocketException if closed before or during the wait
     */
    void await(int ops, long deadline) throws SocketException {
        ensureOpen();
        try {
            OutOfLine.run(() -> poller.interest(key, ops)); // JDK selector code: see OutOfLine
        } catch (CancelledKeyException e) {
            ensureOpen();
            throw SocketErrors.socketClosed();
        }
        Deadlines.awaitOnce((ops & READ_SIDE) != 0 ? readSlot : writeSlot, deadline);
        ensureOpen();
    }

    /**
     * Waits until the poller reports the channel readable ({@code OP_READ}: bytes, end of stream or an
     * error are there), touching no buffer and making no channel call. Readiness reported after this
     * call began ends the wait; a permit left in the read slot by an earlier wait does not. It may
     * still return early when an earlier wait's readiness report arrives just after this call began
     * (the data it saw may have been read since): the caller's next read then finds nothing.
     *
     * @param deadline an absolute deadline or {@link Deadlines#NO_DEADLINE}; one that has passed still
     *                 ends the call only after the poller was asked once
     * @throws SocketTimeoutException "Read timed out" if the deadline passes first
     * @throws SocketException        if closed before or during the wait
     */
    void awaitReadable(long deadline) throws SocketException, SocketTimeoutException {
        long seen = readReadiness;
        for (;;) {
            await(SelectionKey.OP_READ, deadline);
            if (readReadiness != seen) {
                return;
            }
            if (Deadlines.hasPassed(deadline)) {
                throw SocketErrors.readTimedOut();
            }
        }
    }

    /**
     * Waits on the read side without asking the poller for anything, until {@code until} or a close:
     * a back-off that {@link #close()} cuts short.
     *
     * @param until an absolute deadline
     * @throws SocketException if closed
     */
    void pause(long until) throws SocketException {
        Deadlines.awaitOnce(readSlot, until);
        ensureOpen();
    }

    /** Poller thread: {@code readyOps} became ready. */
    void ready(int readyOps) {
        if ((readyOps & READ_SIDE) != 0) {
            readReadiness = readReadiness + 1; // single writer; before the signal, so the woken waiter sees it
            readSlot.signal();
        }
        if ((readyOps & WRITE_SIDE) != 0) {
            writeSlot.signal();
        }
    }

    /**
     * Translates an exception of a channel call: a closed channel becomes "Socket closed", ECONNRESET
     * and EPIPE get {@code java.net.Socket}'s messages, anything else passes unchanged.
     *
     * @param e the channel's exception
     * @return the exception to throw
     */
    IOException translate(IOException e) {
        if (e instanceof ClosedChannelException) {
            String why = volatileCloseReason();
            return closedException(why == null ? CLOSED_BY_OWNER : why);
        }
        return NioErrors.translate(e);
    }

    /**
     * Closes the channel and wakes both sides. Idempotent.
     *
     * @throws IOException if the channel's close failed (it is closed anyway)
     */
    void close() throws IOException {
        closeWith(CLOSED_BY_OWNER);
    }

    /** Closes on behalf of the poller's shutdown, with the reason in later exceptions. */
    void closeBecause(String why) {
        try {
            closeWith(why);
        } catch (IOException e) {
            LOG.debug("closing {} failed", channel, e);
        }
    }

    private void closeWith(String why) throws IOException {
        if (!CLOSE_REASON.compareAndSet(this, (String) null, why)) {
            return;
        }
        try {
            // Cancels the key; the poller's next select releases the descriptor. Takes the channel's
            // locks, and awaitRelease below may suspend: see OutOfLine.
            OutOfLine.call(() -> {
                channel.close();
                return null;
            });
        } finally {
            poller.remove(this);
            readSlot.signal();
            writeSlot.signal();
            poller.awaitRelease();
        }
    }

    private String volatileCloseReason() {
        return (String) CLOSE_REASON.getVolatile(this);
    }

    private static SocketException closedException(String why) {
        return why.isEmpty() ? SocketErrors.socketClosed() : SocketErrors.socketClosed(why);
    }
}
