package dev.fiberio.nativeio.ffi;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.util.Objects;

/**
 * The errno values that socket code meets on Linux, their names, and their translation into the
 * exceptions that {@code java.net.Socket} users expect.
 *
 * <p>Besides the socket errors, {@link #ENOENT} and {@link #EEXIST} are here for epoll_ctl.
 *
 * <p>Values are those of {@code <asm-generic/errno-base.h>} and {@code <asm-generic/errno.h>}
 * (shared by x86_64 and aarch64), see errno(3); {@code LinuxPlatformValuesTest} compares each one
 * with the C value. A field's name is the C macro's name.
 *
 * <p>{@link LibC} wrappers return {@code -errno} on failure; a caller that decides the failure is
 * exceptional negates the result and calls {@link #toException(String, int)}.
 */
public final class Errno {

    /** Operation not permitted. */
    public static final int EPERM = 1;
    /** No such file or directory; from epoll_ctl: the fd is not registered (MOD, DEL). */
    public static final int ENOENT = 2;
    /** Interrupted system call: retry. */
    public static final int EINTR = 4;
    /** Bad file descriptor. */
    public static final int EBADF = 9;
    /** Resource temporarily unavailable: the non-blocking operation would block. */
    public static final int EAGAIN = 11;
    /** Same value as {@link #EAGAIN} on Linux. */
    public static final int EWOULDBLOCK = EAGAIN;
    /** Cannot allocate memory. */
    public static final int ENOMEM = 12;
    /** Permission denied. */
    public static final int EACCES = 13;
    /** File exists; from epoll_ctl: the fd is already registered (ADD). */
    public static final int EEXIST = 17;
    /** Invalid argument. */
    public static final int EINVAL = 22;
    /** Too many open files in the system. */
    public static final int ENFILE = 23;
    /** Too many open files in this process (RLIMIT_NOFILE reached). */
    public static final int EMFILE = 24;
    /** Broken pipe: writing to a connection the peer has closed. */
    public static final int EPIPE = 32;
    /** Protocol error (accept4 may report it for a connection that failed before it was accepted). */
    public static final int EPROTO = 71;
    /** The fd is not a socket. */
    public static final int ENOTSOCK = 88;
    /** Message too long: a datagram larger than the protocol allows. */
    public static final int EMSGSIZE = 90;
    /** Operation not supported on the socket. */
    public static final int EOPNOTSUPP = 95;
    /** Address family not supported by the protocol. */
    public static final int EAFNOSUPPORT = 97;
    /** Address already in use. */
    public static final int EADDRINUSE = 98;
    /** Cannot assign the requested address. */
    public static final int EADDRNOTAVAIL = 99;
    /** Network is unreachable. */
    public static final int ENETUNREACH = 101;
    /** The connection was aborted before accept returned it. */
    public static final int ECONNABORTED = 103;
    /** The peer reset the connection. */
    public static final int ECONNRESET = 104;
    /** No buffer space available. */
    public static final int ENOBUFS = 105;
    /** The socket is already connected. */
    public static final int EISCONN = 106;
    /** The socket is not connected. */
    public static final int ENOTCONN = 107;
    /** Connection timed out. */
    public static final int ETIMEDOUT = 110;
    /** Connection refused: nobody listens at the address. */
    public static final int ECONNREFUSED = 111;
    /** No route to host. */
    public static final int EHOSTUNREACH = 113;
    /** A non-blocking connect is already in progress. */
    public static final int EALREADY = 114;
    /** A non-blocking connect has started; wait for writability, then read SO_ERROR. */
    public static final int EINPROGRESS = 115;

    private Errno() {
    }

    /**
     * The symbolic name of an errno value.
     *
     * @param errno a positive errno value
     * @return the C name, such as {@code "ECONNRESET"} ({@code "EAGAIN"} for EAGAIN/EWOULDBLOCK),
     *         or {@code "errno N"} for a value this class does not define
     */
    public static String name(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case EINTR -> "EINTR";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES";
            case EEXIST -> "EEXIST";
            case EINVAL -> "EINVAL";
            case ENFILE -> "ENFILE";
            case EMFILE -> "EMFILE";
            case EPIPE -> "EPIPE";
            case EPROTO -> "EPROTO";
            case ENOTSOCK -> "ENOTSOCK";
            case EMSGSIZE -> "EMSGSIZE";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            case EAFNOSUPPORT -> "EAFNOSUPPORT";
            case EADDRINUSE -> "EADDRINUSE";
            case EADDRNOTAVAIL -> "EADDRNOTAVAIL";
            case ENETUNREACH -> "ENETUNREACH";
            case ECONNABORTED -> "ECONNABORTED";
            case ECONNRESET -> "ECONNRESET";
            case ENOBUFS -> "ENOBUFS";
            case EISCONN -> "EISCONN";
            case ENOTCONN -> "ENOTCONN";
            case ETIMEDOUT -> "ETIMEDOUT";
            case ECONNREFUSED -> "ECONNREFUSED";
            case EHOSTUNREACH -> "EHOSTUNREACH";
            case EALREADY -> "EALREADY";
            case EINPROGRESS -> "EINPROGRESS";
            default -> "errno " + errno;
        };
    }

    /**
     * Translates a failed operation into the exception a {@code java.net.Socket} user expects.
     *
     * <table>
     * <caption>errno to exception</caption>
     * <tr><th>errno</th><th>exception</th></tr>
     * <tr><td>ECONNREFUSED</td><td>{@link ConnectException} "Connection refused"</td></tr>
     * <tr><td>ETIMEDOUT</td><td>{@link ConnectException} "Connection timed out"</td></tr>
     * <tr><td>ECONNRESET</td><td>{@link SocketException} "Connection reset"</td></tr>
     * <tr><td>EPIPE</td><td>{@link SocketException} "Broken pipe"</td></tr>
     * <tr><td>EADDRINUSE, EADDRNOTAVAIL</td><td>{@link BindException}</td></tr>
     * <tr><td>ENETUNREACH, EHOSTUNREACH</td><td>{@link NoRouteToHostException}</td></tr>
     * <tr><td>EMFILE, ENFILE</td><td>{@link FdExhaustedException}</td></tr>
     * <tr><td>anything else</td><td>{@link NativeIOException}</td></tr>
     * </table>
     *
     * <p>Where {@code java.net} has an exception for the errno, the message is exactly its text
     * ({@code "Connection refused"}, or the C library's description such as {@code "Address already in
     * use"}) and the cause is a {@link NativeIOException} naming the operation and the errno, e.g.
     * {@code "Connection refused (connect: ECONNREFUSED)"}; code written for {@code java.net} compares
     * messages. The other exceptions carry that detail in their own message.
     * This method is for the failure path: it allocates.
     *
     * @param operation what failed, usually the system call's name, e.g. {@code "connect"}
     * @param errno the positive errno value (the negated result of a {@link LibC} wrapper)
     * @return the exception to throw; never null
     * @throws IllegalArgumentException if {@code errno} is not positive
     */
    public static IOException toException(String operation, int errno) {
        Objects.requireNonNull(operation, "operation");
        if (errno <= 0) {
            throw new IllegalArgumentException("errno must be positive, was " + errno);
        }
        return switch (errno) {
            case ECONNREFUSED -> withDetail(new ConnectException("Connection refused"), operation, errno);
            case ETIMEDOUT -> withDetail(new ConnectException("Connection timed out"), operation, errno);
            case ECONNRESET -> withDetail(new SocketException("Connection reset"), operation, errno);
            case EPIPE -> withDetail(new SocketException("Broken pipe"), operation, errno);
            case EADDRINUSE, EADDRNOTAVAIL -> withDetail(new BindException(LibC.strerror(errno)), operation, errno);
            case ENETUNREACH, EHOSTUNREACH -> withDetail(new NoRouteToHostException(LibC.strerror(errno)), operation, errno);
            case EMFILE, ENFILE -> new FdExhaustedException(operation, errno, describe(operation, errno));
            default -> new NativeIOException(operation, errno, describe(operation, errno));
        };
    }

    /** {@code e}, whose message is java.net's, with the operation and errno in a cause. */
    private static IOException withDetail(SocketException e, String operation, int errno) {
        e.initCause(new NativeIOException(operation, errno, describe(operation, errno)));
        return e;
    }

    /** The C library's description of the errno, followed by the operation and the errno's name. */
    private static String describe(String operation, int errno) {
        return message(LibC.strerror(errno), operation, errno);
    }

    private static String message(String text, String operation, int errno) {
        return text + " (" + operation + ": " + name(errno) + ")";
    }
}
