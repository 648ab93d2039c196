package dev.fiberio.iocp;

import static dev.fiberio.iocp.win32.Win32Constants.ERROR_ABANDONED_WAIT_0;
import static dev.fiberio.iocp.win32.Win32Constants.INFINITE;
import static dev.fiberio.iocp.win32.Win32Constants.WAIT_TIMEOUT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.fiberio.core.spi.Poller;
import dev.fiberio.iocp.win32.OverlappedEntry;
import dev.fiberio.iocp.win32.Win32;
import dev.fiberio.iocp.win32.Win32Error;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One thread's view of a {@link CompletionPort}: {@link #poll} removes up to
 * {@link #ENTRIES} completion entries with one GetQueuedCompletionStatusEx and hands each to the
 * port's {@link CompletionDispatcher}, which stores the result in the operation's record and
 * signals its wait slot. Several pollers (each on its own {@link dev.fiberio.core.spi.PollerThread})
 * poll one port at once; any of them may dequeue the completion of any operation, also while the
 * fiber that started it is still switching out on its worker: the slot's handshake covers that.
 *
 * <p>Implementation overview: {@code entries} (the OVERLAPPED_ENTRY array) and {@code removed}
 * (the ULONG count) belong to this poller and are used only by the thread calling {@link #poll},
 * one at a time, as the {@link Poller} contract says; they come from an automatic arena owned by
 * this object, freed by the GC once it is unreachable. Wake-up packets (key
 * {@link CompletionPort#WAKE_KEY}) are counted, not dispatched. {@link #wakeup()} and
 * {@link #close()} act on the shared port (see there): a wake-up makes a blocked poll of the port
 * return, and closing any poller of a port closes the port, which stops all of them.
 */
final class IocpPoller implements Poller {
    /** Entries removed per GetQueuedCompletionStatusEx at most. */
    static final int ENTRIES = 128;
    /** Set while the thread is inside {@link #poll}: pollers are platform threads, never fibers. */
    private static final ThreadLocal<Boolean> POLLING = new ThreadLocal<>();

    private final Win32 win32;
    private final CompletionPort port;
    private final MemorySegment entries;
    private final MemorySegment removed;

    /**
     * @param win32 the bindings
     * @param port  the shared port
     */
    IocpPoller(Win32 win32, CompletionPort port) {
        this.win32 = win32;
        this.port = port;
        // Owner: this poller; the automatic arena frees both when the poller is unreachable.
        Arena arena = Arena.ofAuto();
        entries = arena.allocate(OverlappedEntry.LAYOUT, ENTRIES);
        removed = arena.allocate(JAVA_INT);
    }

    /** Whether the calling thread is dispatching completions in {@link #poll} (where closesocket must not run). */
    static boolean onPollerThread() {
        return POLLING.get() != null;
    }

    @Override
    public int poll(long timeoutNanos) throws IOException {
        if (!port.enterPoll()) {
            return -1;
        }
        POLLING.set(Boolean.TRUE);
        try {
            boolean ok = win32.getQueuedCompletionStatusEx(port.handle(), entries, ENTRIES, removed, toMillis(timeoutNanos));
            if (!ok) {
                int error = win32.lastError(); // before anything else on this thread
                if (error == ERROR_ABANDONED_WAIT_0) {
                    return -1;
                }
                if (error != WAIT_TIMEOUT) {
                    throw Win32Error.exception("GetQueuedCompletionStatusEx", error);
                }
                return closing() ? -1 : 0;
            }
            int n = removed.get(JAVA_INT, 0);
            int dispatched = 0;
            for (int i = 0; i < n; i++) {
                long key = OverlappedEntry.completionKey(entries, i);
                if (key == CompletionPort.WAKE_KEY) {
                    port.wakePacketDequeued();
                } else if (port.dispatcher().dispatch(key, OverlappedEntry.overlapped(entries, i),
                        OverlappedEntry.status(entries, i), OverlappedEntry.bytesTransferred(entries, i))) {
                    dispatched++;
                }
            }
            return closing() ? -1 : dispatched;
        } finally {
            POLLING.remove();
            port.leavePoll();
        }
    }

    /** If the port is closing, wakes the next poller (the closing chain) and returns true. */
    private boolean closing() {
        if (port.isClosing()) {
            port.passOn();
            return true;
        }
        return false;
    }

    /** Rounds a timeout up to whole milliseconds; negative means INFINITE, never passed by accident. */
    static int toMillis(long timeoutNanos) {
        if (timeoutNanos < 0) {
            return INFINITE;
        }
        long millis = timeoutNanos / 1_000_000 + (timeoutNanos % 1_000_000 == 0 ? 0 : 1);
        return (int) Math.min(millis, Integer.MAX_VALUE);
    }

    @Override
    public void wakeup() {
        port.wakeup();
    }

    /** Closes the shared port: every poller of it returns -1 from its poll. Idempotent. */
    @Override
    public void close() {
        port.close();
    }
}
