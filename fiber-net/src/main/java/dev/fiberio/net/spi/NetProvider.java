package dev.fiberio.net.spi;

import java.io.IOException;
import java.net.ProtocolFamily;

/**
 * A socket backend (epoll, IOCP, NIO...), registered in
 * {@code META-INF/services/dev.fiberio.net.spi.NetProvider} and found with
 * {@link java.util.ServiceLoader}; {@link dev.fiberio.net.NetProviders} chooses one.
 *
 * <p>Contract for implementations:
 * <ul>
 *   <li>A public no-argument constructor that never throws and does no I/O: a provider that cannot
 *       work on this machine (wrong OS, native library missing) is still instantiated and reports
 *       {@link #isAvailable()} false with its {@link #unavailabilityCause()}.</li>
 *   <li>{@link #openSocket} and {@link #openServerSocket} may be called from fibers and plain threads
 *       concurrently; they must not suspend or wait (callers may hold a monitor). A handle is bound to the I/O machinery (poller) of the caller's context: the
 *       calling fiber's {@link dev.fiberio.core.FiberScheduler}, or the default scheduler on a plain
 *       thread; once created it may be used from any fiber or thread.</li>
 *   <li>On an unavailable provider both throw an {@link IOException} whose cause is
 *       {@link #unavailabilityCause()}.</li>
 * </ul>
 */
public interface NetProvider {
    /**
     * The provider's name, used by the system property {@code fiberio.net.provider}: lower case,
     * such as {@code "epoll"}, {@code "iocp"} or {@code "nio"}.
     *
     * @return the name
     */
    String name();

    /**
     * The preference among available providers; the highest wins. The portable NIO backend uses 0,
     * native backends use higher values (100 and up).
     *
     * @return the priority
     */
    int priority();

    /**
     * Whether this provider works on this machine (operating system, architecture, native access).
     *
     * @return true if usable
     */
    boolean isAvailable();

    /**
     * Why this provider is unavailable (like Netty's {@code unavailabilityCause()}): the exception
     * that was caught while probing, or one that states the reason (for example "epoll needs Linux,
     * this is Windows 11").
     *
     * @return the cause, or {@code null} when {@link #isAvailable()} is true
     */
    Throwable unavailabilityCause();

    /**
     * Opens an unconnected, unbound, non-blocking stream socket of {@code family}.
     *
     * @param family {@link java.net.StandardProtocolFamily#INET} or {@code INET6}; {@code UNIX} where the
     *               backend has Unix domain sockets (others throw {@link UnsupportedOperationException})
     * @return the new handle, owned by the caller (who must close it)
     * @throws IOException                   if the socket cannot be created (e.g. fd exhaustion),
     *                                       or the family is not supported on this machine
     * @throws UnsupportedOperationException for a family this backend does not support
     */
    SocketHandle openSocket(ProtocolFamily family) throws IOException;

    /**
     * Opens an unbound, non-blocking listening socket of {@code family}.
     *
     * @param family {@link java.net.StandardProtocolFamily#INET} or {@code INET6}; {@code UNIX} as for
     *               {@link #openSocket}
     * @return the new handle, owned by the caller (who must close it)
     * @throws IOException                   if the socket cannot be created
     * @throws UnsupportedOperationException for a family this backend does not support
     */
    ServerSocketHandle openServerSocket(ProtocolFamily family) throws IOException;

    /**
     * Opens an unbound, non-blocking UDP socket of {@code family}. The default says the backend has
     * none.
     *
     * @param family {@link java.net.StandardProtocolFamily#INET} or {@code INET6}
     * @return the new handle, owned by the caller (who must close it)
     * @throws IOException                   if the socket cannot be created
     * @throws UnsupportedOperationException for another family, or if this backend has no datagram sockets
     */
    default DatagramHandle openDatagram(ProtocolFamily family) throws IOException {
        throw new UnsupportedOperationException("the " + name() + " backend has no datagram sockets");
    }
}
