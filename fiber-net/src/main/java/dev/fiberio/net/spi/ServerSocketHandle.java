package dev.fiberio.net.spi;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * A backend's listening socket, used by {@link dev.fiberio.net.FiberServerSocket}.
 *
 * <p>The contract of {@link SocketHandle} applies (blocking, deadlines, cancellation, closing, error
 * types), with one caller of {@link #accept} at a time ({@code FiberServerSocket} serializes them).
 * A backend must support {@link java.net.StandardSocketOptions#SO_REUSEADDR} and
 * {@link java.net.StandardSocketOptions#SO_RCVBUF}, and {@code SO_REUSEPORT} where the operating system
 * has it. Accepting under file-descriptor exhaustion (EMFILE/ENFILE) backs off and logs, rate-limited,
 * instead of spinning.
 */
public interface ServerSocketHandle extends NetHandle {
    /**
     * Binds and starts listening.
     *
     * @param local   a resolved {@link java.net.InetSocketAddress} of this handle's family (port 0 picks an
     *                ephemeral port), or a {@link java.net.UnixDomainSocketAddress} for {@code AF_UNIX}
     * @param backlog the accept queue length, at least 1 (the caller replaces smaller values)
     * @throws IOException such as {@link java.net.BindException} if the address is in use
     */
    void bind(SocketAddress local, int backlog) throws IOException;

    /**
     * Accepts a connection, waiting until one arrives.
     *
     * @param deadline an absolute deadline or {@link Deadlines#NO_DEADLINE}
     * @return the connected socket, non-blocking, bound to the I/O machinery of the caller's context
     *         (see {@link NetProvider}), owned by the caller
     * @throws IOException such as {@code "Accept timed out"} or {@code "Socket closed"}
     */
    SocketHandle accept(long deadline) throws IOException;
}
