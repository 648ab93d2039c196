package dev.fiberio.iocp;

import static dev.fiberio.iocp.win32.Win32Constants.INVALID_HANDLE_VALUE;

import dev.fiberio.iocp.win32.Win32;
import dev.fiberio.iocp.win32.Win32Error;
import dev.fiberio.nativeio.CloseGuard;
import dev.fiberio.nativeio.TokenTable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One I/O completion port, shared by every {@link IocpPoller} of a group: the sockets associated
 * with it (their completion keys are tokens of {@link #channels()}), its wake-up packets and its
 * closing.
 *
 * <h2>Implementation overview</h2>
 * <ul>
 *   <li>The port handle lives in a {@link CloseGuard}: pollers {@link #enterPoll() enter} it for
 *       each GetQueuedCompletionStatusEx, associations and posts for their call; CloseHandle runs
 *       when the last of them leaves after {@link #close()}.</li>
 *   <li><b>Wake-up</b> ({@link #wakeup()}): posts one packet with the reserved key
 *       {@link #WAKE_KEY}; {@code wakePending} (CAS false→true by the waker, volatile false by the
 *       poller that dequeued the packet) makes repeated wake-ups post once until it is dequeued.
 *       Which poller receives it is the port's choice (threads blocked on a port are released in
 *       LIFO order, "I/O Completion Ports", learn.microsoft.com), so a wake-up makes <em>a</em>
 *       blocked poll of the port return, not a particular one. A packet cannot be addressed to a
 *       thread: forwarding it to the intended poller could ping-pong between two others forever.</li>
 *   <li><b>Closing chain</b>: {@link #close()} marks the handle closing and posts one wake-up
 *       packet; every poller that returns from GetQueuedCompletionStatusEx and sees the port
 *       closing posts another before it leaves ({@link #passOn()}). So each blocked poller is woken
 *       in turn, whichever one the port picks, and CloseHandle runs after the last one left. A
 *       handle is never closed under a waiting thread (ERROR_ABANDONED_WAIT_0 is not relied upon).</li>
 * </ul>
 */
final class CompletionPort {
    /** The completion key of wake-up packets; a {@link TokenTable} never issues it. */
    static final long WAKE_KEY = 0L;

    private static final Logger LOG = LoggerFactory.getLogger(CompletionPort.class);
    private static final VarHandle WAKE_PENDING;

    static {
        try {
            WAKE_PENDING = MethodHandles.lookup().findVarHandle(CompletionPort.class, "wakePending", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Win32 win32;
    private final long handle;
    private final CloseGuard port;
    private final TokenTable<CompletionTarget> channels = new TokenTable<>();
    private final CompletionDispatcher dispatcher = new CompletionDispatcher(channels);
    private final AtomicLong wakePackets = new AtomicLong();
    @SuppressWarnings("unused")
    private volatile boolean wakePending;

    private CompletionPort(Win32 win32, long handle) {
        this.win32 = win32;
        this.handle = handle;
        this.port = new CloseGuard(() -> {
            if (!win32.closeHandle(handle)) {
                LOG.warn("CloseHandle of completion port {} failed: {}", handle, Win32Error.name(win32.lastError()));
            }
        });
    }

    /**
     * Creates a port.
     *
     * @param win32       the bindings
     * @param concurrency how many threads the port lets run at once (the number of pollers)
     * @return the port
     * @throws IOException if CreateIoCompletionPort failed
     */
    static CompletionPort create(Win32 win32, int concurrency) throws IOException {
        long handle = win32.createIoCompletionPort(INVALID_HANDLE_VALUE, 0, 0, concurrency);
        if (handle == 0) {
            throw Win32Error.exception("CreateIoCompletionPort", win32.lastError());
        }
        return new CompletionPort(win32, handle);
    }

    /** The sockets associated with this port, by completion key. */
    TokenTable<CompletionTarget> channels() {
        return channels;
    }

    /** Routes dequeued entries to their operations. */
    CompletionDispatcher dispatcher() {
        return dispatcher;
    }

    /** The port handle; valid between {@link #enterPoll()} and {@link #leavePoll()}. */
    long handle() {
        return handle;
    }

    /**
     * Associates {@code socket} with this port under {@code key} (CreateIoCompletionPort).
     *
     * @param socket a socket handle
     * @param key    its token
     * @throws IOException if the port is closed or the call failed
     */
    void associate(long socket, long key) throws IOException {
        if (!port.acquire()) {
            throw new IOException("the IOCP completion port is closed");
        }
        try {
            if (win32.createIoCompletionPort(socket, handle, key, 0) == 0) {
                throw Win32Error.exception("CreateIoCompletionPort", win32.lastError());
            }
        } finally {
            port.release();
        }
    }

    /** A poller begins a GetQueuedCompletionStatusEx; false once the port is closing. */
    boolean enterPoll() {
        return port.acquire();
    }

    /** A poller's GetQueuedCompletionStatusEx returned. */
    void leavePoll() {
        port.release();
    }

    /** Whether {@link #close()} was called (volatile read). */
    boolean isClosing() {
        return port.isClosed();
    }

    /**
     * Makes a blocked poll of this port return: posts a wake-up packet, unless one is queued and not
     * dequeued yet (sticky: one CAS, and no system call, for repeated wake-ups).
     */
    void wakeup() {
        if (WAKE_PENDING.compareAndSet(this, false, true) && port.acquire()) {
            try {
                post();
            } finally {
                port.release();
            }
        }
    }

    /** A poller dequeued a wake-up packet: the next {@link #wakeup()} posts again (volatile write). */
    void wakePacketDequeued() {
        wakePending = false;
    }

    /**
     * Closing chain, by a poller that saw the port closing while it is inside (between
     * {@link #enterPoll()} and {@link #leavePoll()}): wakes the next blocked poller.
     */
    void passOn() {
        post();
    }

    /** Wake-up packets posted so far (for tests). */
    long wakePacketsPosted() {
        return wakePackets.get();
    }

    /**
     * Closes the port: every poller's poll returns -1 (the closing chain), and the handle is closed
     * once the last one left. Idempotent.
     */
    void close() {
        if (!port.acquire()) {
            return;
        }
        try {
            if (port.close()) {
                post(); // first link of the chain; we hold the handle, so it is still open
            }
        } finally {
            port.release(); // the last one out closes the handle
        }
    }

    private void post() {
        wakePackets.incrementAndGet();
        if (!win32.postQueuedCompletionStatus(handle, 0, WAKE_KEY, MemorySegment.NULL)) {
            LOG.warn("PostQueuedCompletionStatus on port {} failed: {}", handle, Win32Error.name(win32.lastError()));
        }
    }
}
