package dev.fiberio.nativeio;

import dev.fiberio.nativeio.ffi.LibC;

/**
 * A file descriptor shared by concurrent operations and {@code close}: a {@link CloseGuard} whose close
 * action is {@code close(2)}, so the number is released to the kernel only when no operation is between
 * {@link #acquire()} and {@link #release()} (a concurrent read can never hit a number that was closed
 * and reused).
 */
public final class NativeFd extends CloseGuard {
    /** The descriptor. */
    public final int fd;

    /**
     * Wraps an open descriptor.
     *
     * @param fd            the descriptor, owned from now on
     * @param onNativeClose runs right after {@code close(2)} (bookkeeping such as fd counters)
     */
    public NativeFd(int fd, Runnable onNativeClose) {
        this(fd, null, onNativeClose);
    }

    /**
     * Wraps an open descriptor whose number may still be named by requests queued for the kernel but not
     * yet handed to it (an io_uring submission queue): {@code beforeNativeClose} hands them over first, so
     * each takes its own reference to the file while the number still means this file. Closing first
     * would let the kernel find the number free, or reused by another thread's new socket.
     *
     * @param fd                the descriptor, owned from now on
     * @param beforeNativeClose runs right before {@code close(2)}, once no operation holds the descriptor; or null
     * @param onNativeClose     runs right after {@code close(2)} (bookkeeping such as fd counters)
     */
    public NativeFd(int fd, Runnable beforeNativeClose, Runnable onNativeClose) {
        super(() -> {
            if (beforeNativeClose != null) {
                beforeNativeClose.run();
            }
            LibC.close(fd); // EINTR/EIO on close of a socket still frees the number on Linux: never retry
            onNativeClose.run();
        });
        this.fd = fd;
    }
}
