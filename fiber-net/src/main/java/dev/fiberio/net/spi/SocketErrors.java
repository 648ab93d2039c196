package dev.fiberio.net.spi;

import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * The exceptions whose type and message users of {@code java.net.Socket} expect, built in one place
 * so that every backend reports them alike.
 */
public final class SocketErrors {
    /**
     * Message of the exception for a read or write on a closed socket, and for any call woken by the
     * socket's closing ({@code java.net}'s socket streams say so).
     */
    public static final String SOCKET_CLOSED = "Socket closed";
    /**
     * Message of the exception for the other uses of a closed socket: connect, bind, accept, shutdown,
     * options ({@code java.net.Socket} and {@code ServerSocket} say so).
     */
    public static final String SOCKET_IS_CLOSED = "Socket is closed";
    /** Message of the exception for a blocked call whose fiber was cancelled (thread interrupted). */
    public static final String CLOSED_BY_INTERRUPT = "Closed by interrupt";
    /** Message of the exception for a connection reset by the peer (ECONNRESET). */
    public static final String CONNECTION_RESET = "Connection reset";
    /** Message of the exception for a write to a connection the peer closed (EPIPE). */
    public static final String BROKEN_PIPE = "Broken pipe";

    private SocketErrors() {
    }

    /**
     * The exception for an operation on (or woken by the closing of) a closed socket.
     *
     * @return {@code SocketException("Socket closed")}
     */
    public static SocketException socketClosed() {
        return new SocketException(SOCKET_CLOSED);
    }

    /**
     * The exception for an operation on a socket closed for a stated reason (such as its scheduler
     * shutting down); the message starts with "Socket closed".
     *
     * @param why the reason
     * @return {@code SocketException("Socket closed: " + why)}
     */
    public static SocketException socketClosed(String why) {
        return new SocketException(SOCKET_CLOSED + ": " + why);
    }

    /**
     * The exception for connect, bind, accept, shutdown and options on a closed socket.
     *
     * @return {@code SocketException("Socket is closed")}
     */
    public static SocketException socketIsClosed() {
        return new SocketException(SOCKET_IS_CLOSED);
    }

    /**
     * The exception for a call whose fiber was cancelled (or thread interrupted) while it waited; the
     * socket has been closed, as {@code java.net} does for an interrupted virtual thread.
     *
     * @param cause the cancellation
     * @return {@code SocketException("Closed by interrupt")} with {@code cause}
     */
    public static SocketException closedByInterrupt(Throwable cause) {
        SocketException e = new SocketException(CLOSED_BY_INTERRUPT);
        e.initCause(cause);
        return e;
    }

    /**
     * Whether {@code e} reports a connection reset by the peer.
     *
     * @param e an exception of a read or write
     * @return true if its message starts with "Connection reset"
     */
    public static boolean isConnectionReset(SocketException e) {
        return e.getMessage() != null && e.getMessage().startsWith(CONNECTION_RESET);
    }

    /**
     * The exception for a connection reset by the peer.
     *
     * @return {@code SocketException("Connection reset")}
     */
    public static SocketException connectionReset() {
        return new SocketException(CONNECTION_RESET);
    }

    /**
     * The exception for a write after the peer closed the connection.
     *
     * @return {@code SocketException("Broken pipe")}
     */
    public static SocketException brokenPipe() {
        return new SocketException(BROKEN_PIPE);
    }

    /**
     * The exception for a read whose deadline passed.
     *
     * @return {@code SocketTimeoutException("Read timed out")}
     */
    public static SocketTimeoutException readTimedOut() {
        return new SocketTimeoutException("Read timed out");
    }

    /**
     * The exception for a write whose deadline passed.
     *
     * @return {@code SocketTimeoutException("Write timed out")}
     */
    public static SocketTimeoutException writeTimedOut() {
        return new SocketTimeoutException("Write timed out");
    }

    /**
     * The exception for a datagram receive whose deadline passed ({@code java.net.DatagramSocket}'s).
     *
     * @return {@code SocketTimeoutException("Receive timed out")}
     */
    public static SocketTimeoutException receiveTimedOut() {
        return new SocketTimeoutException("Receive timed out");
    }

    /**
     * The exception for an accept whose deadline passed.
     *
     * @return {@code SocketTimeoutException("Accept timed out")}
     */
    public static SocketTimeoutException acceptTimedOut() {
        return new SocketTimeoutException("Accept timed out");
    }

    /**
     * The exception for a connect whose deadline passed.
     *
     * @return {@code SocketTimeoutException("Connect timed out")}
     */
    public static SocketTimeoutException connectTimedOut() {
        return new SocketTimeoutException("Connect timed out");
    }
}
