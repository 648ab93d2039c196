package dev.fiberio.net.spi;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;

/**
 * A backend's stream socket, used by {@link dev.fiberio.net.FiberSocket}.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Callers.</b> At most one reader ({@link #read}) and one writer ({@link #write},
 *       {@link #connect}) at a time; {@code FiberSocket} guarantees it. Any other method may be called
 *       concurrently with them. Calls come from fibers (which must suspend, never block their worker)
 *       and from plain threads (which park).</li>
 *   <li><b>Arguments</b> were checked by the caller: addresses are resolved and of the handle's family,
 *       segments are alive, non-empty, and, for {@code read}, writable. Segments may be native or heap
 *       segments (wrapping a {@code byte[]}); a backend copies or uses critical calls for heap ones.
 *       The caller keeps a segment alive until the call returns.</li>
 *   <li><b>Blocking.</b> An operation first tries the system call; only if the kernel says "not now"
 *       does it wait, until the socket is ready, the deadline passes, the caller is cancelled, or the
 *       handle is closed. It never spins.</li>
 *   <li><b>Deadlines</b> are absolute {@link System#nanoTime()} values or {@link Deadlines#NO_DEADLINE};
 *       a deadline that has already passed still allows one attempt that does not wait. When it
 *       passes: {@link SocketErrors#readTimedOut()}, {@code writeTimedOut()} or {@code connectTimedOut()}.
 *       After a read or write timeout the handle stays usable.</li>
 *   <li><b>Cancellation.</b> A cancelled fiber (an interrupted plain thread) blocked in an operation
 *       wakes and throws {@link dev.fiberio.core.FiberCancelledException}
 *       (see {@link Deadlines#awaitOnce}); the handle stays consistent. {@code FiberSocket} and
 *       {@code FiberServerSocket} then close it and throw {@code SocketException("Closed by
 *       interrupt")}, as java.net does for an interrupted virtual thread.</li>
 *   <li><b>Errors</b> are {@link IOException}s with {@code java.net.Socket}'s types and messages:
 *       {@link SocketErrors#connectionReset()}, {@link SocketErrors#brokenPipe()},
 *       {@link java.net.ConnectException} on refusal, {@link java.net.BindException} for an address in
 *       use, {@link SocketErrors#socketClosed()} after or during {@link #close()} (the public classes
 *       check a closed socket themselves and use java.net's messages: "Socket closed" for reads and
 *       writes, "Socket is closed" for the rest).</li>
 * </ul>
 */
public interface SocketHandle extends NetHandle {
    /**
     * Binds to a local address before connecting.
     *
     * @param local a resolved {@link java.net.InetSocketAddress} of this handle's family (port 0 picks an ephemeral
     *              port), or a {@link java.net.UnixDomainSocketAddress} for an {@code AF_UNIX} handle
     * @throws IOException if the address is in use or not local ({@link java.net.BindException})
     */
    void bind(SocketAddress local) throws IOException;

    /**
     * Connects to {@code remote}, waiting for the handshake to complete. On failure the handle is left
     * unusable and the caller closes it.
     *
     * @param remote   a resolved address of this handle's family (as for {@link #bind})
     * @param deadline an absolute deadline or {@link Deadlines#NO_DEADLINE}
     * @throws java.net.ConnectException       if the peer refused
     * @throws java.net.SocketTimeoutException if the deadline passed
     * @throws IOException                     on other errors, or {@code "Socket closed"} if closed meanwhile
     */
    void connect(SocketAddress remote, long deadline) throws IOException;

    /**
     * Reads at least one byte into {@code dst}, waiting until some arrive.
     *
     * @param dst      a non-empty, writable segment; bytes land at its start
     * @param deadline an absolute deadline or {@link Deadlines#NO_DEADLINE}
     * @return the number of bytes read (1 to {@code dst.byteSize()}), or -1 at end of stream (the peer
     *         shut down its output, or input was shut down here)
     * @throws IOException such as {@code "Connection reset"}, {@code "Read timed out"}, {@code "Socket closed"}
     */
    int read(MemorySegment dst, long deadline) throws IOException;

    /**
     * Writes at least one byte from {@code src}, waiting until there is room in the send buffer.
     * Partial writes are allowed; the caller loops.
     *
     * @param src      a non-empty segment
     * @param deadline an absolute deadline or {@link Deadlines#NO_DEADLINE}
     * @return the number of bytes written, 1 to {@code src.byteSize()}
     * @throws IOException such as {@code "Broken pipe"}, {@code "Connection reset"}, {@code "Write timed out"}
     */
    int write(MemorySegment src, long deadline) throws IOException;

    /**
     * Shuts the input down: later reads return -1. Idempotent.
     *
     * @throws IOException if not connected or closed
     */
    void shutdownInput() throws IOException;

    /**
     * Shuts the output down: the peer reads end of stream once the sent data is consumed. Idempotent.
     *
     * @throws IOException if not connected or closed
     */
    void shutdownOutput() throws IOException;

    /**
     * The peer's address.
     *
     * @return the address connected to, or {@code null} if not connected (an accepted {@code AF_UNIX}
     *         connection's peer is usually unnamed: {@code UnixDomainSocketAddress.of("")})
     * @throws IOException if the handle is closed
     */
    SocketAddress remoteAddress() throws IOException;
}
