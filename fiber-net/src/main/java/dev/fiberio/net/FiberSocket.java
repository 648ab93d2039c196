package dev.fiberio.net;

import dev.fiberio.core.FiberCancelledException;
import dev.fiberio.core.sync.FiberLock;
import dev.fiberio.net.spi.NetProvider;
import dev.fiberio.net.spi.SocketErrors;
import dev.fiberio.net.spi.SocketHandle;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.GatheringByteChannel;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP socket for fibers: {@link #read(byte[], int, int) read} and {@link #write(byte[], int, int)
 * write} look blocking, but in a fiber they suspend the fiber (its worker runs other fibers) until the
 * socket is ready; on a plain thread they park the thread. It behaves like {@link java.net.Socket}
 * with its exceptions and messages: {@code read} returns -1 at end of stream; a connection reset by
 * the peer throws {@code SocketException("Connection reset")} on that read and on every later one (a
 * reset never looks like end of stream); a timeout throws {@link java.net.SocketTimeoutException}; a
 * refused connect {@link ConnectException}{@code ("Connection refused")}; a read or write after
 * {@link #close()} {@code SocketException("Socket closed")}, and connect, bind, shutdown and options
 * {@code SocketException("Socket is closed")}; closing the socket wakes every fiber or thread blocked
 * in it with {@code "Socket closed"}; a write after {@link #shutdownOutput()} throws
 * {@code SocketException("Broken pipe")}; a read or write of zero bytes returns at once, even on a
 * closed socket. One deliberate difference: a reset seen first by a write also makes later reads throw
 * "Connection reset" ({@code java.net} then reads -1).
 *
 * <pre>{@code
 * try (FiberSocket s = FiberSocket.open()) {
 *     s.connect(new InetSocketAddress("example.com", 80), Duration.ofSeconds(5));
 *     s.write("HEAD / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
 *     byte[] buf = new byte[4096];
 *     int n = s.read(buf, 0, buf.length);
 * }
 * }</pre>
 *
 * <p><b>Concurrency.</b> One reader and one writer may use the socket at the same time (full duplex).
 * Concurrent readers are served one after the other (each call, including a whole
 * {@link #readFully(byte[], int, int) readFully}, is atomic with respect to other readers), and so are
 * concurrent writers: data is never interleaved within one call. {@link #close()} and the option and
 * address methods may be called at any time from anywhere.
 *
 * <p><b>Timeouts</b> ({@link #setReadTimeout}, {@link #setWriteTimeout}, {@link #connect(SocketAddress,
 * Duration)}) bound a whole call, including the wait for another reader or writer to finish; zero
 * means none. A timed-out read or write leaves the socket usable; its exception's
 * {@link InterruptedIOException#bytesTransferred} tells how much of the call was done.
 *
 * <p><b>Cancellation.</b> {@link dev.fiberio.core.Fiber#cancel() Cancelling} a fiber blocked in a read,
 * write or connect of this socket (or interrupting a thread blocked in one) does what {@code java.net}
 * does for an interrupted virtual thread: the socket is closed and the call throws
 * {@code SocketException("Closed by interrupt")}, an {@link IOException} like every other way a
 * connection can end, so a handler's {@code catch (IOException e)} sees it. Its cause is the
 * {@link FiberCancelledException}. The fiber stays cancelled (a thread stays interrupted): its next
 * suspension outside socket I/O throws {@code FiberCancelledException}, and another call on this
 * socket throws "Socket closed". Other users of the socket wake with "Socket closed".
 *
 * <p><b>Memory.</b> Reads and writes take {@code byte[]}, {@link ByteBuffer} (heap or direct) and
 * {@link MemorySegment} (heap or native, of any arena the calling thread may access); a native segment
 * or direct buffer avoids a copy in most backends.
 *
 * <h2>Implementation overview</h2>
 * <ul>
 *   <li>{@code holder} owns the backend {@link SocketHandle} (created at bind or connect, when the
 *       address family is known) and the closed flag.</li>
 *   <li>{@code state}: UNCONNECTED → CONNECTING (CAS, by the one connecting caller) → CONNECTED
 *       (volatile store), or back to UNCONNECTED when the connect failed (the socket is then closed,
 *       as {@code java.net.Socket} does).</li>
 *   <li>{@code readLock}/{@code writeLock} ({@link FiberLock}s, held across waits, which a fiber may
 *       do) serialize readers and writers, so the handle sees at most one of each, as the SPI
 *       requires.</li>
 *   <li>{@code readTimeoutNanos}, {@code writeTimeoutNanos}, {@code inputShutdown},
 *       {@code outputShutdown} are volatile: written by any caller, read by the I/O paths.</li>
 *   <li>{@code resetByPeer} (volatile, only ever set): a read or write saw "Connection reset"; every
 *       later read throws it again without asking the backend, whose second read could return -1.</li>
 *   <li>No read or write wraps the caller's memory in a new object: arrays go to the backend as
 *       arrays (epoll copies small transfers through a native buffer), segments with an offset, and
 *       a direct buffer through a segment of its whole capacity kept per direction for the last
 *       buffer used (so the socket keeps that buffer reachable until another one is used).</li>
 * </ul>
 */
public final class FiberSocket implements ByteChannel, GatheringByteChannel {
    /** Options that may be set before the socket is bound or connected (they are applied then). */
    static final Set<SocketOption<?>> EARLY_OPTIONS = Set.of(StandardSocketOptions.TCP_NODELAY,
            StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_SNDBUF,
            StandardSocketOptions.SO_LINGER, StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT);

    private static final int UNCONNECTED = 0;
    private static final int CONNECTING = 1;
    private static final int CONNECTED = 2;

    private final NetProvider provider;
    private final HandleHolder<SocketHandle> holder;
    private final AtomicInteger state;
    private final FiberLock readLock = new FiberLock();
    private final FiberLock writeLock = new FiberLock();
    private final InputStream in = new SocketInputStream(this);
    private final OutputStream out = new SocketOutputStream(this);
    private volatile long readTimeoutNanos;
    private volatile long writeTimeoutNanos;
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;
    private volatile boolean resetByPeer;
    /** The last direct buffer read into, and its whole segment; guarded by {@code readLock}. */
    private ByteBuffer readBuffer;
    private MemorySegment readBufferSegment;
    /** The last direct buffer written from, and its whole segment; guarded by {@code writeLock}. */
    private ByteBuffer writeBuffer;
    private MemorySegment writeBufferSegment;

    private FiberSocket(NetProvider provider, HandleHolder<SocketHandle> holder, int state) {
        this.provider = provider;
        this.holder = holder;
        this.state = new AtomicInteger(state);
    }

    /**
     * An unconnected socket of the {@linkplain NetProviders#defaultProvider() default provider}.
     *
     * @return the new socket
     * @throws NetProviderUnavailableException if no provider can be used
     */
    public static FiberSocket open() {
        return open(NetProviders.defaultProvider());
    }

    /**
     * An unconnected socket of {@code provider}. No system resource is taken until the socket is bound
     * or connected.
     *
     * @param provider the backend
     * @return the new socket
     */
    public static FiberSocket open(NetProvider provider) {
        Objects.requireNonNull(provider, "provider");
        return new FiberSocket(provider, new HandleHolder<>(provider::openSocket, EARLY_OPTIONS), UNCONNECTED);
    }

    /** Wraps a connected handle returned by accept. */
    static FiberSocket accepted(NetProvider provider, SocketHandle handle, ProtocolFamily family) {
        return new FiberSocket(provider, new HandleHolder<>(handle, family), CONNECTED);
    }

    /**
     * The backend of this socket.
     *
     * @return the provider
     */
    public NetProvider provider() {
        return provider;
    }

    // ------------------------------------------------------------------------------------------
    // Bind and connect
    // ------------------------------------------------------------------------------------------

    /**
     * Binds the socket to a local address before connecting (rarely needed: connect binds to an
     * ephemeral port by itself). An unresolved address is resolved first.
     *
     * @param local the local address; {@code null} for an ephemeral port on the IPv4 wildcard address; a
     *              {@link UnixDomainSocketAddress} names an {@code AF_UNIX} socket (epoll and NIO backends)
     * @return this socket
     * @throws IOException              such as {@link java.net.BindException}, or "Already bound"
     * @throws IllegalArgumentException if {@code local} is neither an {@link InetSocketAddress} nor a
     *                                  {@link UnixDomainSocketAddress}
     */
    public FiberSocket bind(SocketAddress local) throws IOException {
        if (local instanceof UnixDomainSocketAddress unix) {
            holder.ensureOpen();
            if (state.get() != UNCONNECTED) {
                throw new SocketException("Already connected");
            }
            bindHandle(holder.open(StandardProtocolFamily.UNIX), unix);
            return this;
        }
        InetSocketAddress target = local == null ? HostResolver.IPV4_WILDCARD : HostResolver.inet(local, "local address");
        InetAddress address = HostResolver.resolve(target).getFirst();
        holder.ensureOpen();
        if (state.get() != UNCONNECTED) {
            throw new SocketException("Already connected");
        }
        bindHandle(holder.open(familyOf(address)), new InetSocketAddress(address, target.getPort()));
        return this;
    }

    private void bindHandle(SocketHandle h, SocketAddress local) throws IOException {
        if (h.localAddress() != null) {
            throw new SocketException("Already bound");
        }
        try {
            h.bind(local);
        } catch (IOException | RuntimeException e) {
            try {
                holder.discard(h); // back to unbound: a failed bind keeps no descriptor
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Connects without a timeout; see {@link #connect(SocketAddress, Duration)}.
     *
     * @param remote the peer
     * @throws IOException as there
     */
    public void connect(SocketAddress remote) throws IOException {
        connect(remote, Duration.ZERO);
    }

    /**
     * Connects to {@code remote}. An unresolved address is resolved first (in a fiber, on the blocking
     * pool while the fiber suspends) and each of its addresses is tried in turn until one accepts. If
     * the connect fails, the socket is closed.
     *
     * @param remote  the peer, an {@link InetSocketAddress}, or a {@link UnixDomainSocketAddress} (a socket
     *                file; "No such file or directory" if there is none, "Connection refused" if nobody
     *                listens on it, as the JDK says)
     * @param timeout the longest time for the whole connect, name resolution included; zero for none
     * @throws ConnectException                if every address refused
     * @throws java.net.SocketTimeoutException if the timeout passed ("Connect timed out")
     * @throws java.net.UnknownHostException   if the host name cannot be resolved
     * @throws SocketException                 if already connected, closed (also while connecting),
     *                                         or bound to another address family than the peer's
     * @throws IllegalArgumentException        for another address type or a negative timeout
     */
    public void connect(SocketAddress remote, Duration timeout) throws IOException {
        UnixDomainSocketAddress unix = remote instanceof UnixDomainSocketAddress u ? u : null;
        InetSocketAddress target = unix != null ? null : HostResolver.inet(remote, "remote address");
        long deadline = Timeouts.deadlineFor(timeout);
        holder.ensureOpen();
        if (!state.compareAndSet(UNCONNECTED, CONNECTING)) {
            throw new SocketException(state.get() == CONNECTED ? "Already connected" : "Connection already in progress");
        }
        try {
            if (unix != null) {
                holder.open(StandardProtocolFamily.UNIX).connect(unix, deadline);
            } else {
                connectAny(HostResolver.resolve(target), target, deadline);
            }
        } catch (FiberCancelledException cancelled) {
            state.set(UNCONNECTED);
            throw holder.closeByInterrupt(cancelled);
        } catch (Throwable t) {
            state.set(UNCONNECTED);
            try {
                holder.close();
            } catch (IOException suppressed) {
                t.addSuppressed(suppressed);
            }
            throw t;
        }
        state.set(CONNECTED);
    }

    private void connectAny(List<InetAddress> addresses, InetSocketAddress target, long deadline) throws IOException {
        ProtocolFamily bound = holder.family();
        IOException failure = null;
        for (InetAddress address : addresses) {
            ProtocolFamily family = familyOf(address);
            if (bound != null && family != bound) {
                continue;
            }
            SocketHandle h = holder.open(family);
            try {
                h.connect(new InetSocketAddress(address, target.getPort()), deadline);
                return;
            } catch (ConnectException | NoRouteToHostException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
                if (bound != null) {
                    break; // a bound socket cannot try again with a fresh handle
                }
                holder.discard(h);
            }
        }
        if (failure != null) {
            throw failure;
        }
        throw new SocketException("cannot connect to " + target + ": the socket is bound to an "
                + (bound == StandardProtocolFamily.INET6 ? "IPv6" : "IPv4") + " address and the peer has none of that family");
    }

    // ------------------------------------------------------------------------------------------
    // Reading
    // ------------------------------------------------------------------------------------------

    /**
     * Reads up to {@code len} bytes into {@code b[off..]}, waiting until at least one arrives.
     *
     * @param b   the destination
     * @param off where to start in {@code b}
     * @param len how many bytes at most
     * @return the number of bytes read, 0 if {@code len} is 0, or -1 at end of stream
     * @throws IOException               "Connection reset", "Read timed out", "Socket closed",
     *                                   "Closed by interrupt"...
     * @throws IndexOutOfBoundsException if the range is not inside {@code b}
     */
    public int read(byte[] b, int off, int len) throws IOException {
        return (int) readRange(IoArgs.checkArray(b, off, len), off, len, false);
    }

    /**
     * Reads into {@code dst} (from its position up to its limit), waiting until at least one byte
     * arrives, and advances its position.
     *
     * @param dst the destination, heap or direct
     * @return the number of bytes read, 0 if {@code dst} has no room, or -1 at end of stream
     * @throws IOException                         as {@link #read(byte[], int, int)}
     * @throws java.nio.ReadOnlyBufferException    if {@code dst} is read-only
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        IoArgs.checkReadTarget(dst);
        int start = dst.position();
        int n = (int) readRange(targetOf(dst), indexOf(dst, start), dst.limit() - start, false);
        if (n > 0) {
            dst.position(start + n);
        }
        return n;
    }

    /**
     * Reads into the start of {@code dst}, waiting until at least one byte arrives.
     *
     * @param dst the destination (heap or native)
     * @return the number of bytes read, 0 if {@code dst} is empty, or -1 at end of stream
     * @throws IOException                      as {@link #read(byte[], int, int)}
     * @throws java.nio.ReadOnlyBufferException if {@code dst} is read-only
     * @throws IllegalStateException            if its arena is closed
     */
    public int read(MemorySegment dst) throws IOException {
        MemorySegment target = IoArgs.readTarget(dst);
        return (int) readRange(target, 0, target.byteSize(), false);
    }

    /**
     * Reads exactly {@code len} bytes into {@code b[off..]}.
     *
     * @param b   the destination
     * @param off where to start in {@code b}
     * @param len how many bytes
     * @throws EOFException if the stream ends first (the bytes that did arrive are in {@code b})
     * @throws IOException  as {@link #read(byte[], int, int)}
     */
    public void readFully(byte[] b, int off, int len) throws IOException {
        readRange(IoArgs.checkArray(b, off, len), off, len, true);
    }

    /**
     * Fills {@code dst} from its position to its limit, advancing its position.
     *
     * @param dst the destination
     * @throws EOFException if the stream ends first (the position shows what arrived)
     * @throws IOException  as {@link #read(byte[], int, int)}
     */
    public void readFully(ByteBuffer dst) throws IOException {
        IoArgs.checkReadTarget(dst);
        int start = dst.position();
        try {
            readRange(targetOf(dst), indexOf(dst, start), dst.limit() - start, true);
            dst.position(dst.limit());
        } catch (InterruptedIOException | PartialReadException e) {
            dst.position(start + transferred(e));
            throw e;
        }
    }

    /**
     * Fills {@code dst} completely.
     *
     * @param dst the destination
     * @throws EOFException if the stream ends first
     * @throws IOException  as {@link #read(byte[], int, int)}
     */
    public void readFully(MemorySegment dst) throws IOException {
        MemorySegment target = IoArgs.readTarget(dst);
        readRange(target, 0, target.byteSize(), true);
    }

    /**
     * Waits until a read would not wait (bytes or the end of the stream have arrived, or the
     * connection failed), without taking any bytes and without a buffer. A handler that serves many
     * mostly idle connections waits here and takes a read buffer (from a pool) only once data is
     * there, so an idle connection holds no buffer (see {@link #tryRead} for the loop). It may
     * rarely return early (a stale readiness notification): the next {@code tryRead} then returns 0.
     * Bounded by the {@linkplain #setReadTimeout read timeout}; waits for other readers first, as a
     * read does. Every backend of this project waits here (epoll, io_uring, NIO, IOCP); a third-party
     * backend that cannot wait without a buffer returns at once, and the next read waits instead.
     *
     * @throws IOException "Read timed out", "Socket closed", "Closed by interrupt"...; a reset is
     *                     reported by the next read
     */
    public void awaitReadable() throws IOException {
        SocketHandle h = ioHandle();
        long deadline = Timeouts.deadlineFor(readTimeoutNanos);
        lock(readLock, deadline, SocketErrors::readTimedOut);
        try {
            holder.ensureOpenForIo();
            if (!resetByPeer && !inputShutdown) { // otherwise the next read answers at once
                h.awaitReadable(deadline);
            }
        } catch (SocketException e) {
            throw noteReset(e);
        } catch (FiberCancelledException cancelled) {
            throw holder.closeByInterrupt(cancelled);
        } finally {
            readLock.unlock();
        }
    }

    /**
     * Reads the bytes that have already arrived into {@code b[off..]}, without waiting for more:
     * with {@link #awaitReadable()}, the way to serve many mostly idle connections without a buffer
     * per connection. Take a buffer (from a pool), {@code tryRead} into it; on 0 give the buffer back
     * and {@code awaitReadable()}; on data use it, then give it back:
     *
     * <pre>{@code
     * for (;;) {
     *     byte[] buf = pool.take();
     *     int n;
     *     try {
     *         n = s.tryRead(buf, 0, buf.length);
     *         if (n > 0) s.write(buf, 0, n);         // may wait; the buffer is the pool's, not the carrier's
     *     } finally {
     *         pool.give(buf);
     *     }
     *     if (n < 0) break;                          // end of stream
     *     if (n == 0) s.awaitReadable();            // idle: no buffer held
     * }
     * }</pre>
     *
     * It makes no more system calls than a plain read loop (the attempt that finds nothing is the one a
     * blocking read makes before it waits). On epoll, after a read that returned less than it asked
     * for, it answers 0 without a system call until a readiness notification comes: the socket was
     * empty then, and later data is announced.
     *
     * @param b   the destination
     * @param off where to start in {@code b}
     * @param len how many bytes at most
     * @return the number of bytes read, 0 if none have arrived (or {@code len} is 0), or -1 at end of stream
     * @throws IOException               "Connection reset", "Socket closed", "Closed by interrupt"...
     * @throws IndexOutOfBoundsException if the range is not inside {@code b}
     */
    public int tryRead(byte[] b, int off, int len) throws IOException {
        IoArgs.checkArray(b, off, len);
        if (len == 0) {
            return 0;
        }
        SocketHandle h = ioHandle();
        lock(readLock, Timeouts.deadlineFor(readTimeoutNanos), SocketErrors::readTimedOut);
        try {
            holder.ensureOpenForIo();
            if (resetByPeer) {
                throw SocketErrors.connectionReset();
            }
            return inputShutdown ? -1 : h.tryRead(b, off, len);
        } catch (SocketException e) {
            throw noteReset(e);
        } catch (FiberCancelledException cancelled) {
            throw holder.closeByInterrupt(cancelled);
        } finally {
            readLock.unlock();
        }
    }

    /**
     * Reads into {@code [offset, offset+size)} of a checked target: once, or until full. The target
     * is a {@code byte[]}, a {@link MemorySegment} or a direct {@link ByteBuffer} (indices from its
     * start), so that no call wraps the caller's memory in a new object.
     */
    private long readRange(Object dst, long offset, long size, boolean fully) throws IOException {
        if (size == 0) {
            return 0; // as java.net: even on a closed or reset socket
        }
        SocketHandle h = ioHandle();
        long deadline = Timeouts.deadlineFor(readTimeoutNanos);
        lock(readLock, deadline, SocketErrors::readTimedOut);
        long done = 0;
        try {
            holder.ensureOpenForIo();
            do {
                if (resetByPeer) {
                    throw SocketErrors.connectionReset();
                }
                int n = inputShutdown ? -1 : readOnce(h, dst, offset + done, size - done, deadline);
                if (n < 0) {
                    if (fully) {
                        throw new PartialReadException(done, size);
                    }
                    return -1;
                }
                done += n;
            } while (fully && done < size);
            return done;
        } catch (InterruptedIOException e) {
            e.bytesTransferred = (int) Math.min(done, Integer.MAX_VALUE);
            throw e;
        } catch (SocketException e) {
            throw noteReset(e);
        } catch (FiberCancelledException cancelled) {
            throw holder.closeByInterrupt(cancelled);
        } finally {
            readLock.unlock();
        }
    }

    // ------------------------------------------------------------------------------------------
    // Writing
    // ------------------------------------------------------------------------------------------

    /**
     * Writes all of {@code b}.
     *
     * @param b the bytes
     * @throws IOException as {@link #write(byte[], int, int)}
     */
    public void write(byte[] b) throws IOException {
        write(b, 0, Objects.requireNonNull(b, "b").length);
    }

    /**
     * Writes all {@code len} bytes of {@code b[off..]}, waiting for room in the send buffer as often as
     * needed.
     *
     * @param b   the bytes
     * @param off where they start
     * @param len how many
     * @throws IOException               "Broken pipe" (also after {@link #shutdownOutput()}), "Connection reset",
     *                                   "Write timed out", "Socket closed", "Closed by interrupt"...
     * @throws IndexOutOfBoundsException if the range is not inside {@code b}
     */
    public void write(byte[] b, int off, int len) throws IOException {
        writeRange(IoArgs.checkArray(b, off, len), off, len);
    }

    /**
     * Writes everything from {@code src}'s position to its limit and advances its position.
     *
     * @param src the bytes, heap or direct
     * @return the number of bytes written: all that remained
     * @throws IOException as {@link #write(byte[], int, int)}; after a timeout the position shows how far
     *                     the write got
     */
    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        int start = src.position();
        try {
            if (src.hasArray() || src.isDirect()) {
                writeRange(targetOf(src), indexOf(src, start), src.limit() - start);
            } else { // a read-only heap buffer: no array to reach
                MemorySegment source = IoArgs.writeSource(src);
                writeRange(source, 0, source.byteSize());
            }
        } catch (InterruptedIOException e) {
            src.position(start + e.bytesTransferred);
            throw e;
        }
        src.position(src.limit());
        return src.limit() - start;
    }

    /**
     * Writes all of {@code src}.
     *
     * @param src the bytes (heap or native)
     * @throws IOException           as {@link #write(byte[], int, int)}
     * @throws IllegalStateException if its arena is closed
     */
    public void write(MemorySegment src) throws IOException {
        MemorySegment source = IoArgs.writeSource(src);
        writeRange(source, 0, source.byteSize());
    }

    /**
     * Writes all of {@code srcs[offset..offset+length)}'s remaining bytes, in order, advancing their
     * positions; the backend gathers several buffers into one system call where it can (epoll: one
     * {@code write(2)} of up to 16 KiB copied into a native buffer, or {@code writev(2)} over direct
     * buffers), so a response head and body go out together without being joined first.
     *
     * @param srcs   the buffers, heap or direct
     * @param offset the first buffer
     * @param length how many buffers
     * @return the number of bytes written: all that remained
     * @throws IOException               as {@link #write(byte[], int, int)}; after a timeout the positions
     *                                   show how far the write got
     * @throws IndexOutOfBoundsException if the range is not inside {@code srcs}
     */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += Objects.requireNonNull(srcs[i], "srcs[" + i + "]").remaining();
        }
        if (total == 0) {
            return 0; // as a zero-length write: even on a closed socket
        }
        SocketHandle h = ioHandle();
        long deadline = Timeouts.deadlineFor(writeTimeoutNanos);
        lock(writeLock, deadline, SocketErrors::writeTimedOut);
        long done = 0;
        int first = offset;
        int end = offset + length;
        try {
            holder.ensureOpenForIo();
            if (outputShutdown) {
                throw SocketErrors.brokenPipe();
            }
            while (done < total) {
                while (!srcs[first].hasRemaining()) {
                    first++;
                }
                long n = h.write(srcs, first, end - first, deadline);
                done += n;
                for (long left = n; left > 0; ) { // advance the positions past what was written
                    ByteBuffer b = srcs[first];
                    int step = (int) Math.min(left, b.remaining());
                    b.position(b.position() + step);
                    left -= step;
                    if (!b.hasRemaining()) {
                        first++;
                    }
                }
            }
            return total;
        } catch (InterruptedIOException e) {
            e.bytesTransferred = (int) Math.min(done, Integer.MAX_VALUE);
            throw e;
        } catch (SocketException e) {
            throw noteReset(e);
        } catch (FiberCancelledException cancelled) {
            throw holder.closeByInterrupt(cancelled);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Writes all of {@code srcs}' remaining bytes; see {@link #write(ByteBuffer[], int, int)}.
     *
     * @param srcs the buffers
     * @return the number of bytes written
     * @throws IOException as there
     */
    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return write(srcs, 0, srcs.length);
    }

    /** Writes {@code [offset, offset+size)} of a checked source (as {@link #readRange}'s targets). */
    private void writeRange(Object source, long offset, long size) throws IOException {
        if (size == 0) {
            return; // as java.net: even on a closed socket
        }
        SocketHandle h = ioHandle();
        long deadline = Timeouts.deadlineFor(writeTimeoutNanos);
        lock(writeLock, deadline, SocketErrors::writeTimedOut);
        long done = 0;
        try {
            holder.ensureOpenForIo();
            if (outputShutdown) {
                throw SocketErrors.brokenPipe(); // java.net's answer: the system's EPIPE after shutdown(SHUT_WR)
            }
            while (done < size) {
                done += writeOnce(h, source, offset + done, size - done, deadline);
            }
        } catch (InterruptedIOException e) {
            e.bytesTransferred = (int) Math.min(done, Integer.MAX_VALUE);
            throw e;
        } catch (SocketException e) {
            throw noteReset(e);
        } catch (FiberCancelledException cancelled) {
            throw holder.closeByInterrupt(cancelled);
        } finally {
            writeLock.unlock();
        }
    }

    // ------------------------------------------------------------------------------------------
    // Shutdown, close, state
    // ------------------------------------------------------------------------------------------

    /**
     * Shuts the input down: later reads return -1.
     *
     * @throws IOException if not connected or closed
     */
    public void shutdownInput() throws IOException {
        connectedHandle().shutdownInput();
        inputShutdown = true;
    }

    /**
     * Shuts the output down: the peer reads end of stream after the data already sent; later writes
     * throw "Broken pipe" (as {@code java.net}'s socket stream does).
     *
     * @throws IOException if not connected or closed
     */
    public void shutdownOutput() throws IOException {
        connectedHandle().shutdownOutput();
        outputShutdown = true;
    }

    /**
     * Whether {@link #shutdownInput()} was called.
     *
     * @return true once input is shut down
     */
    public boolean isInputShutdown() {
        return inputShutdown;
    }

    /**
     * Whether {@link #shutdownOutput()} was called.
     *
     * @return true once output is shut down
     */
    public boolean isOutputShutdown() {
        return outputShutdown;
    }

    /**
     * Closes the socket. Every fiber or thread blocked in it (read, write, connect) wakes with
     * {@code SocketException("Socket closed")}. Idempotent.
     *
     * @throws IOException if the backend reported an error while releasing the socket (it is closed anyway)
     */
    @Override
    public void close() throws IOException {
        holder.close();
    }

    /**
     * Whether the socket has not been closed.
     *
     * @return true until {@link #close()}
     */
    @Override
    public boolean isOpen() {
        return !holder.isClosed();
    }

    /**
     * Whether the socket has been connected (it stays so after close, as in {@code java.net.Socket}).
     *
     * @return true once connected
     */
    public boolean isConnected() {
        return state.get() == CONNECTED;
    }

    /**
     * The local address.
     *
     * @return the bound address, or {@code null} if neither bound nor connected
     * @throws IOException if closed
     */
    public InetSocketAddress localAddress() throws IOException {
        return inet(localSocketAddress());
    }

    /**
     * The local address of any family, as {@link java.net.Socket#getLocalSocketAddress()}: an
     * {@link InetSocketAddress}, or a {@link UnixDomainSocketAddress} (a connected {@code AF_UNIX} client
     * that was not bound has the unnamed address, an empty path, as the JDK's {@code SocketChannel} says).
     *
     * @return the bound address, or {@code null} if neither bound nor connected
     * @throws IOException if closed
     */
    public SocketAddress localSocketAddress() throws IOException {
        holder.ensureOpen();
        SocketHandle h = holder.current();
        if (h == null) {
            return null;
        }
        SocketAddress a = h.localAddress();
        return a == null && state.get() == CONNECTED && holder.family() == StandardProtocolFamily.UNIX ? UNNAMED : a;
    }

    /**
     * The peer's address.
     *
     * @return the address connected to, or {@code null} if not connected
     * @throws IOException if closed
     */
    public InetSocketAddress remoteAddress() throws IOException {
        return inet(remoteSocketAddress());
    }

    /**
     * The peer's address of any family: an {@link InetSocketAddress} or a {@link UnixDomainSocketAddress}
     * (an accepted {@code AF_UNIX} connection's peer is usually unnamed: an empty path).
     *
     * @return the address connected to, or {@code null} if not connected
     * @throws IOException if closed
     */
    public SocketAddress remoteSocketAddress() throws IOException {
        holder.ensureOpen();
        return state.get() == CONNECTED ? holder.current().remoteAddress() : null;
    }

    /** {@code a} as an Internet address; a Unix domain address is refused with a pointer to the general method. */
    static InetSocketAddress inet(SocketAddress a) {
        if (a == null || a instanceof InetSocketAddress) {
            return (InetSocketAddress) a;
        }
        throw new UnsupportedOperationException("an AF_UNIX socket has no Internet address (it is " + a
                + "): use localSocketAddress()/remoteSocketAddress()");
    }

    // ------------------------------------------------------------------------------------------
    // Options and timeouts
    // ------------------------------------------------------------------------------------------

    /**
     * Sets a socket option, such as {@link StandardSocketOptions#TCP_NODELAY}, {@code SO_KEEPALIVE},
     * {@code SO_RCVBUF}, {@code SO_SNDBUF}, {@code SO_LINGER} or {@code SO_REUSEADDR}. Options set
     * before the socket is bound or connected are applied when it is.
     *
     * @param option the option
     * @param value  its value
     * @param <T>    the value type
     * @return this socket
     * @throws IOException                   if closed or refused by the system
     * @throws IllegalArgumentException      for a buffer size of 0 or less
     * @throws UnsupportedOperationException if the option is not supported (now)
     */
    public <T> FiberSocket setOption(SocketOption<T> option, T value) throws IOException {
        holder.setOption(option, value);
        return this;
    }

    /**
     * Reads a socket option.
     *
     * @param option the option
     * @param <T>    the value type
     * @return its value
     * @throws IOException if closed, or before bind/connect for an option that was not set
     */
    public <T> T getOption(SocketOption<T> option) throws IOException {
        return holder.getOption(option);
    }

    /**
     * The options this socket supports (before bind/connect: those that may be set early).
     *
     * @return an unmodifiable set
     */
    public Set<SocketOption<?>> supportedOptions() {
        return holder.supportedOptions();
    }

    /**
     * Sets the longest time a read call may take; zero (the default) for none.
     *
     * @param timeout the timeout, not negative
     * @return this socket
     */
    public FiberSocket setReadTimeout(Duration timeout) {
        readTimeoutNanos = Timeouts.nanos(timeout);
        return this;
    }

    /**
     * The read timeout.
     *
     * @return the timeout, {@link Duration#ZERO} for none
     */
    public Duration getReadTimeout() {
        return Duration.ofNanos(readTimeoutNanos);
    }

    /**
     * Sets the longest time a write call may take (waiting for the peer to read); zero (the default)
     * for none.
     *
     * @param timeout the timeout, not negative
     * @return this socket
     */
    public FiberSocket setWriteTimeout(Duration timeout) {
        writeTimeoutNanos = Timeouts.nanos(timeout);
        return this;
    }

    /**
     * The write timeout.
     *
     * @return the timeout, {@link Duration#ZERO} for none
     */
    public Duration getWriteTimeout() {
        return Duration.ofNanos(writeTimeoutNanos);
    }

    // ------------------------------------------------------------------------------------------
    // Adapters
    // ------------------------------------------------------------------------------------------

    /**
     * A stream that reads from this socket (the same one on every call). Closing it closes the socket.
     * {@code available()} returns 0.
     *
     * @return the input stream
     */
    public InputStream getInputStream() {
        return in;
    }

    /**
     * A stream that writes to this socket (the same one on every call); {@code flush()} does nothing, as
     * every write is sent at once. Closing it closes the socket.
     *
     * @return the output stream
     */
    public OutputStream getOutputStream() {
        return out;
    }

    @Override
    public String toString() {
        SocketHandle h = holder.current();
        String st = holder.isClosed() ? "closed" : switch (state.get()) {
            case CONNECTED -> "connected";
            case CONNECTING -> "connecting";
            default -> "unconnected";
        };
        return "FiberSocket[" + provider.name() + ", " + st + (h == null ? "" : ", " + h) + "]";
    }

    // ------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------

    private int readOnce(SocketHandle h, Object dst, long offset, long length, long deadline) throws IOException {
        if (dst instanceof byte[] b) {
            return h.read(b, (int) offset, (int) length, deadline);
        }
        if (dst instanceof MemorySegment m) {
            return h.read(m, offset, length, deadline);
        }
        ByteBuffer b = (ByteBuffer) dst;
        if (b != readBuffer) { // one segment per direct buffer, not per call; guarded by readLock
            readBufferSegment = wholeSegment(b);
            readBuffer = b;
        }
        return h.read(readBufferSegment, offset, length, deadline);
    }

    private int writeOnce(SocketHandle h, Object src, long offset, long length, long deadline) throws IOException {
        if (src instanceof byte[] b) {
            return h.write(b, (int) offset, (int) length, deadline);
        }
        if (src instanceof MemorySegment m) {
            return h.write(m, offset, length, deadline);
        }
        ByteBuffer b = (ByteBuffer) src;
        if (b != writeBuffer) { // guarded by writeLock
            writeBufferSegment = wholeSegment(b);
            writeBuffer = b;
        }
        return h.write(writeBufferSegment, offset, length, deadline);
    }

    /** The segment of a direct buffer from index 0 to its capacity. */
    private static MemorySegment wholeSegment(ByteBuffer direct) {
        return IoArgs.writeSource(MemorySegment.ofBuffer(direct.duplicate().clear())); // throws if its arena is closed
    }

    /** What a transfer of {@code b}'s bytes addresses: its array, or the direct buffer itself. */
    private static Object targetOf(ByteBuffer b) {
        return b.hasArray() ? b.array() : b;
    }

    /** The index of {@code b}'s position {@code position} in {@link #targetOf}'s indices. */
    private static long indexOf(ByteBuffer b, int position) {
        return b.hasArray() ? b.arrayOffset() + (long) position : position;
    }

    private SocketHandle connectedHandle() throws SocketException {
        holder.ensureOpen();
        return requireConnected();
    }

    /** As {@link #connectedHandle()}, with the message of a read or write on a closed socket. */
    private SocketHandle ioHandle() throws SocketException {
        holder.ensureOpenForIo();
        return requireConnected();
    }

    private SocketHandle requireConnected() throws SocketException {
        if (state.get() != CONNECTED) {
            throw new SocketException("Socket is not connected");
        }
        return holder.current();
    }

    /** Takes a side's lock; a cancellation while waiting for it closes the socket. */
    private void lock(FiberLock lock, long deadline, java.util.function.Supplier<java.net.SocketTimeoutException> timedOut)
            throws IOException {
        try {
            Timeouts.lock(lock, deadline, timedOut);
        } catch (FiberCancelledException cancelled) {
            throw holder.closeByInterrupt(cancelled);
        }
    }

    /** Remembers a reset, so that later reads throw it too; returns {@code e}. */
    private SocketException noteReset(SocketException e) {
        if (SocketErrors.isConnectionReset(e)) {
            resetByPeer = true;
        }
        return e;
    }

    /** The unnamed Unix domain address. */
    static final UnixDomainSocketAddress UNNAMED = UnixDomainSocketAddress.of("");

    static ProtocolFamily familyOf(InetAddress address) {
        return address instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }

    private static int transferred(Exception e) {
        return e instanceof PartialReadException p ? (int) p.done : ((InterruptedIOException) e).bytesTransferred;
    }

    /** End of stream in the middle of a readFully; remembers how much had arrived. */
    private static final class PartialReadException extends EOFException {
        private static final long serialVersionUID = 1L;
        private final long done;

        PartialReadException(long done, long wanted) {
            super("end of stream after " + done + " of " + wanted + " bytes");
            this.done = done;
        }
    }
}
