package dev.fiberio.nativeio.ffi;

import java.io.IOException;

/**
 * A system call failed with an errno that has no more specific {@code java.net} exception.
 * Created by {@link Errno#toException(String, int)}.
 */
public class NativeIOException extends IOException {

    private static final long serialVersionUID = 1L;

    /** The system call that failed. */
    private final String operation;
    /** The positive errno it failed with. */
    private final int errno;

    /**
     * Creates the exception.
     *
     * @param operation the operation that failed, e.g. {@code "epoll_ctl"}
     * @param errno the positive errno value
     * @param message the full message, naming the operation and the errno
     */
    public NativeIOException(String operation, int errno, String message) {
        super(message);
        this.operation = operation;
        this.errno = errno;
    }

    /**
     * The errno the operation failed with.
     *
     * @return a positive errno value, see {@link Errno}
     */
    public int errno() {
        return errno;
    }

    /**
     * The operation that failed.
     *
     * @return the operation's name, e.g. {@code "epoll_ctl"}
     */
    public String operation() {
        return operation;
    }
}
