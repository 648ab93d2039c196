package dev.fiberio.iocp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The life cycle of one Win32 handle (a SOCKET, or the completion port) shared by concurrent calls
 * and one close: the handle is given back to the system only when no call is using it.
 *
 * <p>Why: "the socket descriptor passed in the s parameter may immediately be reused by the system as
 * soon as closesocket function is issued ... A Winsock client must never issue closesocket on s
 * concurrently with another Winsock function call" (closesocket, learn.microsoft.com, winsock.h).
 * A fiber about to call WSARecv while another closes the socket would otherwise read from a
 * stranger's socket that got the same handle value.
 *
 * <pre>
 * word = CLOSING bit (bit 31) | number of calls in progress (bits 0..30)
 * open, n      → open, n+1     enter()  CAS; refused once CLOSING
 * open, n+1    → open, n       leave()  getAndAdd(-1)
 * CLOSING, 1   → CLOSING, 0    leave()  the last call out runs the close action
 * open, n      → CLOSING, n    close()  CAS; with n == 0 the closer runs the close action itself
 * </pre>
 * Exactly one thread runs the close action. The calls guarded by it return promptly (overlapped
 * calls never block; a poller blocked in GetQueuedCompletionStatusEx is woken by the port's closing
 * chain, see {@link CompletionPort}), so the delay is short.
 */
final class HandleGuard {
    private static final int CLOSING = 1 << 31;
    private static final VarHandle WORD;

    static {
        try {
            WORD = MethodHandles.lookup().findVarHandle(HandleGuard.class, "word", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The guarded handle. */
    final long handle;
    private final Runnable closeAction;
    @SuppressWarnings("unused")
    private volatile int word;

    /**
     * @param handle      the handle, owned from now on
     * @param closeAction gives it back to the system (closesocket, CloseHandle); runs exactly once
     */
    HandleGuard(long handle, Runnable closeAction) {
        this.handle = handle;
        this.closeAction = closeAction;
    }

    /** Begins a call on the handle (one CAS); false once closing. */
    boolean enter() {
        for (;;) {
            int w = (int) WORD.getVolatile(this);
            if ((w & CLOSING) != 0) {
                return false;
            }
            if (WORD.compareAndSet(this, w, w + 1)) {
                return true;
            }
        }
    }

    /** Ends a call begun with {@link #enter()}; the last one out after a close runs the close action. */
    void leave() {
        int w = (int) WORD.getAndAdd(this, -1) - 1;
        if (w == CLOSING) {
            closeAction.run();
        }
    }

    /**
     * Marks the handle closing (one CAS); runs the close action now if no call is in progress.
     *
     * @return false if it was closing already
     */
    boolean close() {
        for (;;) {
            int w = (int) WORD.getVolatile(this);
            if ((w & CLOSING) != 0) {
                return false;
            }
            if (WORD.compareAndSet(this, w, w | CLOSING)) {
                if (w == 0) {
                    closeAction.run();
                }
                return true;
            }
        }
    }

    /** Whether {@link #close()} was called (volatile read). */
    boolean isClosing() {
        return ((int) WORD.getVolatile(this) & CLOSING) != 0;
    }
}
