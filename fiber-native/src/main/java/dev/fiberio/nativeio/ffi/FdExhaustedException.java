package dev.fiberio.nativeio.ffi;

/**
 * No file descriptor could be allocated: the process reached its RLIMIT_NOFILE ({@link Errno#EMFILE})
 * or the system its file table size ({@link Errno#ENFILE}).
 *
 * <p>A separate type because the right reaction differs from other I/O failures: an accept loop
 * backs off and retries instead of giving up on the listening socket. It is a {@link
 * NativeIOException}, so {@link #errno()} tells the two causes apart.
 */
public class FdExhaustedException extends NativeIOException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param operation the operation that failed, e.g. {@code "accept4"}
     * @param errno {@link Errno#EMFILE} or {@link Errno#ENFILE}
     * @param message the full message, naming the operation and the errno
     */
    public FdExhaustedException(String operation, int errno, String message) {
        super(operation, errno, message);
    }
}
