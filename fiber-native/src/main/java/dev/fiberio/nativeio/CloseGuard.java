package dev.fiberio.nativeio;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The life cycle of one native handle (a file descriptor, a Win32 SOCKET or completion port) shared by
 * concurrent operations and one close: the handle is given back to the system only when no operation
 * is between {@link #acquire()} and {@link #release()}.
 *
 * <p>The danger it prevents: fiber A is about to read from the handle while fiber B closes the socket;
 * the system reuses the value for a new socket (POSIX hands out the lowest free descriptor; Windows may
 * reuse a SOCKET value "immediately", closesocket page), and A reads the stranger's bytes.
 *
 * <pre>
 * word = CLOSED bit (bit 31) | count of operations in progress (bits 0..30)
 * OPEN, n       →  OPEN, n+1        acquire()  CAS; fails once CLOSED
 * OPEN, n+1     →  OPEN, n          release()  getAndAdd(-1)
 * CLOSED, 1     →  CLOSED, 0        release()  the last operation runs the close action
 * OPEN, n       →  CLOSED, n        close()    CAS; if n == 0 it runs the close action itself
 * </pre>
 * Exactly one thread runs the close action: the closer if nothing was in progress, otherwise the
 * operation that leaves last. The guarded operations return promptly (non-blocking descriptors,
 * overlapped calls), so the delay is one system call at most.
 *
 * <p>It knows nothing of the handle itself: the close action does ({@link NativeFd} closes a descriptor
 * through libc; the IOCP backend calls closesocket or CloseHandle), so a backend that must not load
 * libc can use it.
 */
public class CloseGuard {
    private static final int CLOSED = 1 << 31;
    private static final VarHandle WORD;

    static {
        try {
            WORD = MethodHandles.lookup().findVarHandle(CloseGuard.class, "word", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused")
    private volatile int word;
    private final Runnable closeAction;

    /**
     * Guards an open handle.
     *
     * @param closeAction gives the handle back to the system; runs exactly once
     */
    public CloseGuard(Runnable closeAction) {
        this.closeAction = java.util.Objects.requireNonNull(closeAction, "closeAction");
    }

    /**
     * Begins an operation (one CAS).
     *
     * @return false if the handle is closed
     */
    public final boolean acquire() {
        for (;;) {
            int w = (int) WORD.getVolatile(this);
            if ((w & CLOSED) != 0) {
                return false;
            }
            if (WORD.compareAndSet(this, w, w + 1)) {
                return true;
            }
        }
    }

    /** Ends an operation begun with {@link #acquire()}; the last one after a close runs the close action. */
    public final void release() {
        int w = (int) WORD.getAndAdd(this, -1) - 1;
        if (w == CLOSED) {
            closeAction.run();
        }
    }

    /**
     * Marks the handle closed (one CAS); runs the close action now if no operation is in progress.
     *
     * @return false if it was closed already
     */
    public final boolean close() {
        for (;;) {
            int w = (int) WORD.getVolatile(this);
            if ((w & CLOSED) != 0) {
                return false;
            }
            if (WORD.compareAndSet(this, w, w | CLOSED)) {
                if (w == 0) {
                    closeAction.run();
                }
                return true;
            }
        }
    }

    /**
     * Whether {@link #close()} was called (volatile read).
     *
     * @return true once closed
     */
    public final boolean isClosed() {
        return ((int) WORD.getVolatile(this) & CLOSED) != 0;
    }
}
