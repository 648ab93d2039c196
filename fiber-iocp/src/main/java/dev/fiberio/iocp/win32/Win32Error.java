package dev.fiberio.iocp.win32;

import static dev.fiberio.iocp.win32.Win32Constants.*;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * Turns Win32 / Winsock error codes into the exceptions {@code java.net.Socket} users expect.
 *
 * <p>Mapping (each message ends with the operation and the symbolic code, except the reset, the
 * refusal and the address in use, whose messages are exactly java.net's and whose cause carries that
 * detail):
 * <ul>
 * <li>{@code WSAECONNREFUSED}, {@code ERROR_CONNECTION_REFUSED} → {@link ConnectException} "Connection refused"</li>
 * <li>{@code WSAECONNRESET}, {@code ERROR_NETNAME_DELETED}, {@code WSAENETRESET} →
 *     {@link SocketException} with the message exactly {@code "Connection reset"} (what the JDK
 *     throws, and what code in the wild compares against)</li>
 * <li>{@code WSAECONNABORTED}, {@code ERROR_CONNECTION_ABORTED} → {@link SocketException} "Connection aborted"</li>
 * <li>{@code WSAEADDRINUSE}, {@code WSAEADDRNOTAVAIL} → {@link BindException}</li>
 * <li>{@code WSAEMFILE}, {@code ERROR_TOO_MANY_OPEN_FILES}, {@code WSAENOBUFS},
 *     {@code ERROR_NO_SYSTEM_RESOURCES}, {@code ERROR_NOT_ENOUGH_MEMORY} → {@link SocketException};
 *     see {@link #isResourceExhaustion(int)} for accept loops that back off</li>
 * <li>{@code WSAENETUNREACH}, {@code WSAEHOSTUNREACH}, {@code ERROR_NETWORK_UNREACHABLE},
 *     {@code ERROR_HOST_UNREACHABLE}, {@code ERROR_PORT_UNREACHABLE} → {@link NoRouteToHostException}</li>
 * <li>{@code WAIT_TIMEOUT} → {@link SocketTimeoutException}; {@code WSAETIMEDOUT},
 *     {@code ERROR_SEM_TIMEOUT} (the network gave up on the peer) → {@link SocketException}
 *     "Connection timed out", or {@link ConnectException} from {@link #connectException}</li>
 * <li>{@code ERROR_OPERATION_ABORTED} → {@link SocketException} "Socket closed": the I/O was
 *     cancelled by a close or CancelIoEx. A caller that cancelled for a timeout throws its own
 *     {@link SocketTimeoutException} instead; see {@link #isAborted(int)}.</li>
 * <li>anything else → {@link IOException} "OPERATION failed: NAME (code)".</li>
 * </ul>
 */
public final class Win32Error {

    private Win32Error() {
    }

    /**
     * The exception for a failed {@code operation}.
     *
     * @param operation the Win32 function or the socket operation that failed, e.g. "WSARecv"
     * @param code the GetLastError / WSAGetLastError value
     * @return the exception to throw (not thrown here)
     */
    public static IOException exception(String operation, int code) {
        return switch (code) {
            case WSAECONNREFUSED, ERROR_CONNECTION_REFUSED ->
                    withDetail(new ConnectException("Connection refused"), operation, code);
            case WSAECONNRESET, ERROR_NETNAME_DELETED, WSAENETRESET -> new SocketException("Connection reset");
            case WSAECONNABORTED, ERROR_CONNECTION_ABORTED ->
                    new SocketException(detail("Connection aborted", operation, code));
            case WSAEADDRINUSE -> withDetail(new BindException("Address already in use"), operation, code);
            case WSAEADDRNOTAVAIL -> new BindException(detail("Cannot assign requested address", operation, code));
            case WSAEMFILE, ERROR_TOO_MANY_OPEN_FILES -> new SocketException(detail("Too many open files", operation, code));
            case WSAENOBUFS, ERROR_NO_SYSTEM_RESOURCES, ERROR_NOT_ENOUGH_MEMORY ->
                    new SocketException(detail("No buffer space available", operation, code));
            case WSAENETUNREACH, ERROR_NETWORK_UNREACHABLE ->
                    new NoRouteToHostException(detail("Network is unreachable", operation, code));
            case WSAEHOSTUNREACH, ERROR_HOST_UNREACHABLE, ERROR_PORT_UNREACHABLE ->
                    new NoRouteToHostException(detail("No route to host", operation, code));
            case WAIT_TIMEOUT -> new SocketTimeoutException(detail("Timed out", operation, code));
            case WSAETIMEDOUT, ERROR_SEM_TIMEOUT -> new SocketException(detail("Connection timed out", operation, code));
            case ERROR_OPERATION_ABORTED -> new SocketException(detail("Socket closed", operation, code));
            default -> new IOException(operation + " failed: " + name(code) + " (" + code + ")");
        };
    }

    /**
     * The exception for a failed outgoing connect (ConnectEx, or its completion). Like
     * {@link #exception} except that a network timeout is a {@link ConnectException}, as
     * {@code java.net.Socket.connect} reports it.
     *
     * @param operation e.g. "ConnectEx"
     * @param code the error code
     * @return the exception to throw
     */
    public static IOException connectException(String operation, int code) {
        if (code == WSAETIMEDOUT || code == ERROR_SEM_TIMEOUT) {
            return new ConnectException(detail("Connection timed out", operation, code));
        }
        return exception(operation, code);
    }

    /**
     * The exception for a failed bind. Like {@link #exception} except that {@code WSAEACCES} (the port is
     * reserved, excluded, or held exclusively by another socket) is a {@link BindException}
     * "Permission denied", as {@code java.net} reports it on Windows.
     *
     * @param operation e.g. "bind"
     * @param code the error code
     * @return the exception to throw
     */
    public static IOException bindException(String operation, int code) {
        if (code == WSAEACCES) {
            return new BindException(detail("Permission denied", operation, code));
        }
        return exception(operation, code);
    }

    /**
     * Whether the code means "out of sockets or buffers": an accept loop should back off and retry
     * rather than spin or give up.
     *
     * @param code the error code
     * @return true for WSAEMFILE, ERROR_TOO_MANY_OPEN_FILES, WSAENOBUFS, ERROR_NO_SYSTEM_RESOURCES, ERROR_NOT_ENOUGH_MEMORY
     */
    public static boolean isResourceExhaustion(int code) {
        return code == WSAEMFILE || code == ERROR_TOO_MANY_OPEN_FILES || code == WSAENOBUFS
                || code == ERROR_NO_SYSTEM_RESOURCES || code == ERROR_NOT_ENOUGH_MEMORY;
    }

    /**
     * Whether the I/O was cancelled (by CancelIoEx or by closing the socket).
     *
     * @param code the error code
     * @return true for ERROR_OPERATION_ABORTED (= WSA_OPERATION_ABORTED)
     */
    public static boolean isAborted(int code) {
        return code == ERROR_OPERATION_ABORTED;
    }

    /**
     * The symbolic name of a code this package knows, else {@code "error <code>"}.
     *
     * @param code a Win32 or Winsock error code
     * @return e.g. {@code "WSAECONNRESET"}
     */
    public static String name(int code) {
        return switch (code) {
            case ERROR_SUCCESS -> "ERROR_SUCCESS";
            case ERROR_TOO_MANY_OPEN_FILES -> "ERROR_TOO_MANY_OPEN_FILES";
            case ERROR_INVALID_HANDLE -> "ERROR_INVALID_HANDLE";
            case ERROR_NOT_ENOUGH_MEMORY -> "ERROR_NOT_ENOUGH_MEMORY";
            case ERROR_NETNAME_DELETED -> "ERROR_NETNAME_DELETED";
            case ERROR_INVALID_PARAMETER -> "ERROR_INVALID_PARAMETER";
            case ERROR_SEM_TIMEOUT -> "ERROR_SEM_TIMEOUT";
            case WAIT_TIMEOUT -> "WAIT_TIMEOUT";
            case ERROR_ABANDONED_WAIT_0 -> "ERROR_ABANDONED_WAIT_0";
            case ERROR_OPERATION_ABORTED -> "ERROR_OPERATION_ABORTED";
            case ERROR_IO_INCOMPLETE -> "ERROR_IO_INCOMPLETE";
            case ERROR_IO_PENDING -> "ERROR_IO_PENDING";
            case ERROR_NOT_FOUND -> "ERROR_NOT_FOUND";
            case ERROR_CONNECTION_REFUSED -> "ERROR_CONNECTION_REFUSED";
            case ERROR_NETWORK_UNREACHABLE -> "ERROR_NETWORK_UNREACHABLE";
            case ERROR_HOST_UNREACHABLE -> "ERROR_HOST_UNREACHABLE";
            case ERROR_PORT_UNREACHABLE -> "ERROR_PORT_UNREACHABLE";
            case ERROR_CONNECTION_ABORTED -> "ERROR_CONNECTION_ABORTED";
            case ERROR_NO_SYSTEM_RESOURCES -> "ERROR_NO_SYSTEM_RESOURCES";
            case WSAEINTR -> "WSAEINTR";
            case WSAEACCES -> "WSAEACCES";
            case WSAEFAULT -> "WSAEFAULT";
            case WSAEINVAL -> "WSAEINVAL";
            case WSAEMFILE -> "WSAEMFILE";
            case WSAEMSGSIZE -> "WSAEMSGSIZE";
            case WSAEWOULDBLOCK -> "WSAEWOULDBLOCK";
            case WSAENOTSOCK -> "WSAENOTSOCK";
            case WSAEADDRINUSE -> "WSAEADDRINUSE";
            case WSAEADDRNOTAVAIL -> "WSAEADDRNOTAVAIL";
            case WSAENETDOWN -> "WSAENETDOWN";
            case WSAENETUNREACH -> "WSAENETUNREACH";
            case WSAENETRESET -> "WSAENETRESET";
            case WSAECONNABORTED -> "WSAECONNABORTED";
            case WSAECONNRESET -> "WSAECONNRESET";
            case WSAENOBUFS -> "WSAENOBUFS";
            case WSAEISCONN -> "WSAEISCONN";
            case WSAENOTCONN -> "WSAENOTCONN";
            case WSAESHUTDOWN -> "WSAESHUTDOWN";
            case WSAETIMEDOUT -> "WSAETIMEDOUT";
            case WSAECONNREFUSED -> "WSAECONNREFUSED";
            case WSAEHOSTUNREACH -> "WSAEHOSTUNREACH";
            case WSANOTINITIALISED -> "WSANOTINITIALISED";
            default -> "error " + code;
        };
    }

    /** {@code e}, whose message is exactly java.net's, with the operation and code in a cause. */
    private static IOException withDetail(SocketException e, String operation, int code) {
        e.initCause(new IOException(detail(e.getMessage(), operation, code)));
        return e;
    }

    private static String detail(String message, String operation, int code) {
        return message + " (" + operation + ": " + name(code) + " " + code + ")";
    }
}
