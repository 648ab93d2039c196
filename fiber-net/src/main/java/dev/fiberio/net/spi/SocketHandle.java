package dev.fiberio.net.spi;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

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
     * Reads at least one byte into {@code b[off, off+len)}; otherwise as {@link #read(MemorySegment,
     * long)}. The default wraps the range in a heap segment (an allocation per call); a backend
     * overrides it to move the bytes without allocating.
     *
     * @param b        the destination
     * @param off      where to start in {@code b}
     * @param len      how many bytes at most, at least 1; the range lies inside {@code b}
     * @param deadline an absolute deadline or {@link Deadlines#NO_DEADLINE}
     * @return the number of bytes read (1 to {@code len}), or -1 at end of stream
     * @throws IOException as {@link #read(MemorySegment, long)}
     */
    default int read(byte[] b, int off, int len, long deadline) throws IOException {
        return read(MemorySegment.ofArray(b).asSlice(off, len), deadline);
    }

    /**
     * Writes at least one byte from {@code b[off, off+len)}; otherwise as {@link #write(MemorySegment,
     * long)}. The default wraps the range in a heap segment; a backend overrides it to avoid that.
     *
     * @param b        the source
     * @param off      where the bytes start
     * @param len      how many, at least 1; the range lies inside {@code b}
     * @param deadline an absolute deadline or {@link Deadlines#NO_DEADLINE}
     * @return the number of bytes written, 1 to {@code len}
     * @throws IOException as {@link #write(MemorySegment, long)}
     */
    default int write(byte[] b, int off, int len, long deadline) throws IOException {
        return write(MemorySegment.ofArray(b).asSlice(off, len), deadline);
    }

    /**
     * Reads at least one byte into {@code dst[offset, offset+length)}; otherwise as {@link
     * #read(MemorySegment, long)}. Lets a caller that loops over one segment (or reuses one per
     * buffer) avoid a slice per call; the default slices.
     *
     * @param dst      a writable segment
     * @param offset   where to start in {@code dst}
     * @param length   how many bytes at most, at least 1; the range lies inside {@code dst}
     * @param deadline an absolute deadline or {@link Deadlines#NO_DEADLINE}
     * @return the number of bytes read (1 to {@code length}), or -1 at end of stream
     * @throws IOException as {@link #read(MemorySegment, long)}
     */
    default int read(MemorySegment dst, long offset, long length, long deadline) throws IOException {
        return read(offset == 0 && length == dst.byteSize() ? dst : dst.asSlice(offset, length), deadline);
    }

    /**
     * Writes at least one byte from {@code src[offset, offset+length)}; otherwise as {@link
     * #write(MemorySegment, long)}. The default slices.
     *
     * @param src      the source
     * @param offset   where the bytes start
     * @param length   how many, at least 1; the range lies inside {@code src}
     * @param deadline an absolute deadline or {@link Deadlines#NO_DEADLINE}
     * @return the number of bytes written, 1 to {@code length}
     * @throws IOException as {@link #write(MemorySegment, long)}
     */
    default int write(MemorySegment src, long offset, long length, long deadline) throws IOException {
        return write(offset == 0 && length == src.byteSize() ? src : src.asSlice(offset, length), deadline);
    }

    /**
     * Writes at least one byte of the buffers' remaining bytes, in order, as one system call where
     * the backend can (a gathering write); the buffers' positions are left alone, the caller advances
     * them. The default writes from the first buffer with bytes left only.
     *
     * @param srcs     the buffers; at least one in the range has bytes remaining
     * @param offset   the first buffer to use
     * @param length   how many buffers, from {@code offset}
     * @param deadline an absolute deadline or {@link Deadlines#NO_DEADLINE}
     * @return the number of bytes written, at least 1
     * @throws IOException as {@link #write(MemorySegment, long)}
     */
    default long write(ByteBuffer[] srcs, int offset, int length, long deadline) throws IOException {
        for (int i = offset; i < offset + length; i++) {
            if (srcs[i].hasRemaining()) {
                return write(MemorySegment.ofBuffer(srcs[i]), deadline);
            }
        }
        return 0;
    }

    /**
     * Reads what is there into {@code b[off, off+len)} without waiting: the bytes already received, 0
     * if there are none yet, or -1 at end of stream. The default makes one attempt with a deadline
     * that has passed and turns its timeout into 0.
     *
     * @param b   the destination
     * @param off where to start in {@code b}
     * @param len how many bytes at most, at least 1; the range lies inside {@code b}
     * @return the number of bytes read (0 to {@code len}), or -1 at end of stream
     * @throws IOException as {@link #read(MemorySegment, long)}, never a timeout
     */
    default int tryRead(byte[] b, int off, int len) throws IOException {
        try {
            return read(b, off, len, System.nanoTime() - 1);
        } catch (java.net.SocketTimeoutException nothingYet) {
            return 0;
        }
    }

    /**
     * Waits until a read would not wait: bytes or the end of the stream have arrived, or the
     * connection failed (it may return early, rarely; the caller's next read or {@link #tryRead}
     * tells). Holds no buffer while it waits, so an idle connection costs no read buffer.
     * The default returns at once (a backend that cannot wait without a buffer; the caller's next
     * read then waits as usual).
     *
     * @param deadline an absolute deadline or {@link Deadlines#NO_DEADLINE}
     * @throws IOException such as {@code "Read timed out"}, {@code "Socket closed"}
     */
    default void awaitReadable(long deadline) throws IOException {
    }

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
