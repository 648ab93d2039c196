package dev.fiberio.nativeio;

import dev.fiberio.nativeio.ffi.LibC;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The life cycle of one file descriptor shared by concurrent operations and {@code close}.
 *
 * <p>The danger it prevents: fiber A is about to {@code read(fd)} while fiber B closes the socket; the
 * kernel reuses the number for a new socket, and A reads the stranger's bytes. So the number is
 * released to the kernel only when no operation is between {@link #acquire()} and {@link #release()}.
 *
 * <pre>
 * word = CLOSED bit (bit 31) | count of operations in progress (bits 0..30)
 * OPEN, n       →  OPEN, n+1        acquire()  CAS; fails once CLOSED
 * OPEN, n+1     →  OPEN, n          release()  getAndAdd(-1)
 * CLOSED, 1     →  CLOSED, 0        release()  the last operation closes the fd
 * OPEN, n       →  CLOSED, n        close()    CAS; if n == 0 it closes the fd itself
 * </pre>
 * Exactly one thread calls {@code close(2)}: the closer if nothing was in progress, otherwise the
 * operation that leaves last. Operations here never block in the kernel (non-blocking fds), so the
 * delay is one system call at most.
 */
public final class NativeFd {
    private static final int CLOSED = 1 << 31;
    private static final VarHandle WORD;

    static {
        try {
            WORD = MethodHandles.lookup().findVarHandle(NativeFd.class, "word", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The descriptor. */
    public final int fd;
    @SuppressWarnings("unused")
    private volatile int word;
    private final Runnable onNativeClose;

    /**
     * Wraps an open descriptor.
     *
     * @param fd            the descriptor, owned from now on
     * @param onNativeClose runs right after {@code close(2)} (bookkeeping such as fd counters)
     */
    public NativeFd(int fd, Runnable onNativeClose) {
        this.fd = fd;
        this.onNativeClose = onNativeClose;
    }

    /** Begins an operation (one CAS); false if the descriptor is closed. */
    public boolean acquire() {
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

    /** Ends an operation; the last one after a close releases the descriptor. */
    public void release() {
        int w = (int) WORD.getAndAdd(this, -1) - 1;
        if (w == CLOSED) {
            closeNative();
        }
    }

    /** Marks closed (one CAS); closes now if idle. False if it was already closed. */
    public boolean close() {
        for (;;) {
            int w = (int) WORD.getVolatile(this);
            if ((w & CLOSED) != 0) {
                return false;
            }
            if (WORD.compareAndSet(this, w, w | CLOSED)) {
                if (w == 0) {
                    closeNative();
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
    public boolean isClosed() {
        return ((int) WORD.getVolatile(this) & CLOSED) != 0;
    }

    private void closeNative() {
        LibC.close(fd); // EINTR/EIO on close of a socket still frees the number on Linux: never retry
        onNativeClose.run();
    }
}
