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
        super(() -> {
            LibC.close(fd); // EINTR/EIO on close of a socket still frees the number on Linux: never retry
            onNativeClose.run();
        });
        this.fd = fd;
    }
}
