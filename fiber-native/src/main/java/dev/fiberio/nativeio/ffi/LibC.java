package dev.fiberio.nativeio.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Objects;

/**
 * FFM downcalls to the Linux C library for eventfd, sockets and the other calls both Linux backends
 * make (epoll's own calls are in fiber-epoll, io_uring's in fiber-uring).
 *
 * <h2>Return convention</h2>
 * Every wrapper returns what the system call returns on success, or {@code -errno} on failure, as
 * the raw kernel ABI does. Callers test {@code < 0}; no exception is thrown on either path (and,
 * with native segments, nothing is allocated), because {@link Errno#EAGAIN} on a non-blocking
 * socket and {@link Errno#EINTR} are normal outcomes. A caller that decides a failure is exceptional calls {@link
 * Errno#toException(String, int)} with the negated result. Wrappers never retry: on {@code
 * -EINTR} the caller decides (except for {@link #close}, which must never be retried on Linux).
 *
 * <h2>Implementation overview</h2>
 * <ul>
 *   <li>Each function is one {@code static final} downcall handle, linked at class initialisation
 *       with {@code captureCallState("errno")}: the JVM copies errno into a capture segment right
 *       after the call, before it could be overwritten. The capture segment, and the small
 *       structs some wrappers pass by pointer (an int option, a socklen_t), live in the
 *       calling thread's {@link CallScratch}; the thread owns them, and they are freed by the GC
 *       after the thread is gone. Wrappers given native segments allocate nothing (measured on
 *       JDK 25: 0 bytes per call after warm-up). The {@code byte[]} overloads allocate one heap
 *       segment view per call (32 bytes; it escapes into the downcall; a second one for a slice when
 *       the offset is not 0); callers that must not allocate copy through a native buffer
 *       (fiber-epoll's sockets do for transfers up to 16 KiB).</li>
 *   <li>{@link #read}, {@link #write}, {@link #recv}, {@link #readv} and {@link #writev} are linked as
 *       <em>critical</em> functions ({@code Linker.Option.critical}): no thread-state transition, and
 *       read/write accept heap segments (a {@code byte[]}) without copying. The JVM cannot reach a
 *       safepoint while a critical call runs, so these must only be used on non-blocking
 *       descriptors (every fiberio fd is). Critical linking combines with errno capture (tested).
 *       It is chosen for the zero-copy heap access; the saved transition was not measurable next to
 *       the system call itself.</li>
 *   <li>Everything else, in particular {@link #connect} and
 *       {@link #accept4}, is an ordinary downcall: the carrier is in native state and does not hold
 *       up the GC. Their memory arguments must be native segments.</li>
 *   <li>All methods are thread-safe: they share no mutable state beyond the per-thread scratch.</li>
 * </ul>
 */
public final class LibC {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final Linker.Option CRITICAL_HEAP = Linker.Option.critical(true);
    private static final Linker.Option CRITICAL = Linker.Option.critical(false);

    private static final FunctionDescriptor INT_INT = FunctionDescriptor.of(JAVA_INT, JAVA_INT);
    private static final FunctionDescriptor INT_INT_INT = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT);
    private static final FunctionDescriptor INT_INT_INT_INT =
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final FunctionDescriptor INT_INT_ADDR = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS);
    private static final FunctionDescriptor INT_INT_ADDR_INT =
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final FunctionDescriptor INT_INT_ADDR_ADDR =
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final FunctionDescriptor SIZE_INT_ADDR_SIZE =
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final FunctionDescriptor SIZE_INT_ADDR_INT =
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);

    static {
        if (ADDRESS.byteSize() != 8) {
            throw new UnsupportedOperationException("fiberio's Linux backends need a 64-bit Linux");
        }
    }

    private static final MethodHandle EVENTFD = link("eventfd", INT_INT_INT);
    private static final MethodHandle SOCKET = link("socket", INT_INT_INT_INT);
    private static final MethodHandle BIND = link("bind", INT_INT_ADDR_INT);
    private static final MethodHandle LISTEN = link("listen", INT_INT_INT);
    private static final MethodHandle ACCEPT4 = link("accept4",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle CONNECT = link("connect", INT_INT_ADDR_INT);
    private static final MethodHandle READ = link("read", SIZE_INT_ADDR_SIZE, CRITICAL_HEAP);
    private static final MethodHandle WRITE = link("write", SIZE_INT_ADDR_SIZE, CRITICAL_HEAP);
    private static final MethodHandle RECV = link("recv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), CRITICAL_HEAP);
    private static final MethodHandle READV = link("readv", SIZE_INT_ADDR_INT, CRITICAL);
    private static final MethodHandle WRITEV = link("writev", SIZE_INT_ADDR_INT, CRITICAL);
    private static final MethodHandle RECVFROM = link("recvfrom",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS), CRITICAL_HEAP);
    private static final MethodHandle SENDTO = link("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), CRITICAL_HEAP);
    private static final MethodHandle SHUTDOWN = link("shutdown", INT_INT_INT);
    private static final MethodHandle CLOSE = link("close", INT_INT);
    private static final MethodHandle SETSOCKOPT = link("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = link("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle GETSOCKNAME = link("getsockname", INT_INT_ADDR_ADDR);
    private static final MethodHandle GETPEERNAME = link("getpeername", INT_INT_ADDR_ADDR);
    /** fcntl is variadic; only the commands without a third argument are bound. */
    private static final MethodHandle FCNTL = link("fcntl", INT_INT_INT, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle GETRLIMIT = link("getrlimit", INT_INT_ADDR);
    private static final MethodHandle SETRLIMIT = link("setrlimit", INT_INT_ADDR);
    /**
     * The XSI strerror_r (fills a caller buffer; thread-safe). glibc exports it as
     * {@code __xpg_strerror_r} because its plain {@code strerror_r} is the GNU variant; musl's plain
     * {@code strerror_r} is the XSI one.
     */
    private static final MethodHandle STRERROR_R = linkWithoutErrno(
            LOOKUP.find("__xpg_strerror_r").isPresent() ? "__xpg_strerror_r" : "strerror_r",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final int STRERROR_BUFFER_SIZE = 256;

    private LibC() {
    }

    /**
     * Links a C library function with errno capture ({@code captureCallState("errno")}) plus {@code
     * extra} options: the handle takes {@link CallScratch#capture()} as its first argument. For the
     * backends' own system calls (epoll in fiber-epoll, io_uring in fiber-uring).
     *
     * @param name       the C function
     * @param descriptor its signature
     * @param extra      further linker options
     * @return the downcall handle
     */
    public static MethodHandle link(String name, FunctionDescriptor descriptor, Linker.Option... extra) {
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = ERRNO;
        System.arraycopy(extra, 0, options, 1, extra.length);
        return linkWithoutErrno(name, descriptor, options);
    }

    /**
     * Links a C library function. Restricted: needs {@code --enable-native-access} for the module
     * (ALL-UNNAMED on the class path), which every fiberio JVM passes.
     */
    @SuppressWarnings("restricted")
    private static MethodHandle linkWithoutErrno(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LOOKUP.find(name).orElseThrow(() -> new UnsatisfiedLinkError(
                "C library function " + name + " not found; fiberio's Linux backends run on Linux only"));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /**
     * The wrapper's result: {@code result} on success, {@code -errno} when the call returned -1.
     *
     * @param result  what the downcall returned
     * @param scratch the scratch whose capture segment the call filled
     * @return {@code result}, or {@code -errno}
     */
    public static int result(int result, CallScratch scratch) {
        return result < 0 ? -scratch.errno() : result;
    }

    /**
     * The wrapper's result for a {@code long}-returning call.
     *
     * @param result  what the downcall returned
     * @param scratch the scratch whose capture segment the call filled
     * @return {@code result}, or {@code -errno}
     */
    public static long result(long result, CallScratch scratch) {
        return result < 0 ? -scratch.errno() : result;
    }

    /**
     * Downcalls throw no checked exceptions; passes unchecked ones through unchanged.
     *
     * @param t what {@code invokeExact} threw
     * @return the exception to throw
     */
    public static RuntimeException unchecked(Throwable t) {
        if (t instanceof RuntimeException e) {
            return e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("unexpected checked exception from a downcall", t);
    }

    // ------------------------------------------------------------------ eventfd

    /**
     * {@code eventfd(2)}: creates an event counter fd. Write 8 bytes to add, read 8 bytes to take
     * the count (and reset it).
     *
     * @param initialValue the initial counter value
     * @param flags {@link LinuxConstants#EFD_NONBLOCK} and/or {@link LinuxConstants#EFD_CLOEXEC}
     * @return the new fd, or {@code -errno}
     */
    public static int eventfd(int initialValue, int flags) {
        CallScratch s = CallScratch.current();
        try {
            return result((int) EVENTFD.invokeExact(s.capture, initialValue, flags), s);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    // ------------------------------------------------------------------ socket lifecycle

    /**
     * {@code socket(2)}: creates a socket. Or {@link LinuxConstants#SOCK_NONBLOCK} and {@link
     * LinuxConstants#SOCK_CLOEXEC} into {@code type} to set both atomically.
     *
     * @param domain {@link LinuxConstants#AF_INET} or {@link LinuxConstants#AF_INET6}
     * @param type {@link LinuxConstants#SOCK_STREAM} plus flags
     * @param protocol usually 0
     * @return the new fd, or {@code -errno}
     */
    public static int socket(int domain, int type, int protocol) {
        CallScratch s = CallScratch.current();
        try {
            return result((int) SOCKET.invokeExact(s.capture, domain, type, protocol), s);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /**
     * {@code bind(2)}: assigns a local address.
     *
     * @param fd the socket
     * @param address a native socket address, see {@link SockAddr#encode}
     * @param addressLength the length {@link SockAddr#encode} returned
     * @return 0, or {@code -errno}
     * @throws IndexOutOfBoundsException if {@code addressLength} exceeds the segment
     */
    public static int bind(int fd, MemorySegment address, int addressLength) {
        Objects.checkFromIndexSize(0, addressLength, address.byteSize());
        CallScratch s = CallScratch.current();
        try {
            return result((int) BIND.invokeExact(s.capture, fd, address, addressLength), s);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /**
     * {@code listen(2)}: marks a socket as accepting connections.
     *
     * @param fd the bound socket
     * @param backlog the accept queue length (capped by {@code net.core.somaxconn})
     * @return 0, or {@code -errno}
     */
    public static int listen(int fd, int backlog) {
        CallScratch s = CallScratch.current();
        try {
            return result((int) LISTEN.invokeExact(s.capture, fd, backlog), s);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /**
     * {@code accept4(2)}: takes a connection from a listening socket. Pass {@link
     * LinuxConstants#SOCK_NONBLOCK}{@code |}{@link LinuxConstants#SOCK_CLOEXEC} so the new fd gets
     * both flags atomically.
     *
     * @param fd the listening socket
     * @param peerAddress a native segment (ideally {@link SockAddr#STORAGE_SIZE} bytes) that
     *        receives the peer's address, or an empty segment such as {@link MemorySegment#NULL}
     *        when the address is not wanted
     * @param flags {@code SOCK_NONBLOCK} and/or {@code SOCK_CLOEXEC}
     * @return the connected fd, or {@code -errno} ({@code -EAGAIN} when no connection is pending)
     */
    public static int accept4(int fd, MemorySegment peerAddress, int flags) {
        CallScratch s = CallScratch.current();
        MemorySegment length = addressLength(s, peerAddress);
        try {
            return result((int) ACCEPT4.invokeExact(s.capture, fd, peerAddress, length, flags), s);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /**
     * {@code connect(2)}: connects a socket. On a non-blocking socket the usual result is {@code
     * -EINPROGRESS}: wait for {@code EPOLLOUT}, then read {@link LinuxConstants#SO_ERROR} with
     * {@link #getsockoptInt}.
     *
     * @param fd the socket
     * @param address a native socket address, see {@link SockAddr#encode}
     * @param addressLength the length {@link SockAddr#encode} returned
     * @return 0, or {@code -errno}
     * @throws IndexOutOfBoundsException if {@code addressLength} exceeds the segment
     */
    public static int connect(int fd, MemorySegment address, int addressLength) {
        Objects.checkFromIndexSize(0, addressLength, address.byteSize());
        CallScratch s = CallScratch.current();
        try {
            return result((int) CONNECT.invokeExact(s.capture, fd, address, addressLength), s);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /**
     * {@code shutdown(2)}: shuts down one or both halves of a connection.
     *
     * @param fd the socket
     * @param how {@link LinuxConstants#SHUT_RD}, {@code SHUT_WR} or {@code SHUT_RDWR}
     * @return 0, or {@code -errno}
     */
    public static int shutdown(int fd, int how) {
        CallScratch s = CallScratch.current();
        try {
            return result((int) SHUTDOWN.invokeExact(s.capture, fd, how), s);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /**
     * {@code close(2)}: closes an fd. Never retry: on Linux the fd is released even when this
     * returns {@code -EINTR}, and its number may already belong to another thread's new fd.
     *
     * @param fd the fd
     * @return 0, or {@code -errno} ({@code -EBADF} for an fd that is not open)
     */
    public static int close(int fd) {
        CallScratch s = CallScratch.current();
        try {
            return result((int) CLOSE.invokeExact(s.capture, fd), s);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    // ------------------------------------------------------------------ data transfer (critical)

    /**
     * {@code read(2)} into a segment; critical, so {@code buffer} may be a heap segment.
     * Use only on non-blocking fds.
     *
     * @param fd a non-blocking fd
     * @param buffer a native or heap segment, not read-only
     * @param count the maximum number of bytes, at most {@code buffer.byteSize()}
     * @return the number of bytes read (0 at end of stream), or {@code -errno} ({@code -EAGAIN}
     *         when nothing is available)
     * @throws IndexOutOfBoundsException if {@code count} exceeds the segment
     * @throws IllegalArgumentException if {@code buffer} is read-only
     */
    public static long read(int fd, MemorySegment buffer, long count) {
        Objects.checkFromIndexSize(0, count, buffer.byteSize());
        if (buffer.isReadOnly()) {
            throw new IllegalArgumentException("read into a read-only segment");
        }
        CallScratch s = CallScratch.current();
        try {
            return result((long) READ.invokeExact(s.capture, fd, buffer, count), s);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /**
     * {@code read(2)} into a byte array, without copying. Use only on non-blocking fds.
     * Allocates one small heap-segment view per call (see the class comment).
     *
     * @param fd a non-blocking fd
     * @param array the destination
     * @param offset the first index to fill
     * @param length the maximum number of bytes
     * @return the number of bytes read (0 at end of stream), or {@code -errno}
     * @throws IndexOutOfBoundsException if the range is outside the array
     */
    public static int read(int fd, byte[] array, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, array.length);
        MemorySegment whole = MemorySegment.ofArray(array);
        return (int) read(fd, offset == 0 ? whole : whole.asSlice(offset, length), length);
    }

    /**
     * {@code write(2)} from a segment; critical, so {@code buffer} may be a heap segment.
     * Use only on non-blocking fds.
     *
     * @param fd a non-blocking fd
     * @param buffer a native or heap segment
     * @param count the number of bytes to write, at most {@code buffer.byteSize()}
     * @return the number of bytes written (possibly fewer than {@code count}), or {@code -errno}
     *         ({@code -EAGAIN} when the send buffer is full, {@code -EPIPE} after the peer closed)
     * @throws IndexOutOfBoundsException if {@code count} exceeds the segment
     */
    public static long write(int fd, MemorySegment buffer, long count) {
        Objects.checkFromIndexSize(0, count, buffer.byteSize());
        CallScratch s = CallScratch.current();
        try {
            return result((long) WRITE.invokeExact(s.capture, fd, buffer, count), s);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /**
     * {@code write(2)} from a byte array, without copying. Use only on non-blocking fds.
     * Allocates one small heap-segment view per call (see the class comment).
     *
     * @param fd a non-blocking fd
     * @param array the source
     * @param offset the first index to write
     * @param length the number of bytes
     * @return the number of bytes written, or {@code -errno}
     * @throws IndexOutOfBoundsException if the range is outside the array
     */
    public static int write(int fd, byte[] array, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, array.length);
        MemorySegment whole = MemorySegment.ofArray(array);
        return (int) write(fd, offset == 0 ? whole : whole.asSlice(offset, length), length);
    }

    /**
     * {@code recv(2)} with flags, e.g. {@link LinuxConstants#MSG_PEEK}{@code |}{@link
     * LinuxConstants#MSG_DONTWAIT} to learn whether a socket has data (or is at end of stream) without
     * taking it. Critical like {@link #read}; use only on non-blocking fds or with {@code MSG_DONTWAIT}.
     *
     * @param fd     a socket
     * @param buffer a native or heap segment, not read-only
     * @param count  the maximum number of bytes, at most {@code buffer.byteSize()}
     * @param flags  {@code MSG_*} flags
     * @return the number of bytes received (0 at end of stream), or {@code -errno}
     * @throws IndexOutOfBoundsException if {@code count} exceeds the segment
     */
    public static long recv(int fd, MemorySegment buffer, long count, int flags) {
        Objects.checkFromIndexSize(0, count, buffer.byteSize());
        CallScratch s = CallScratch.current();
        try {
            return result((long) RECV.invokeExact(s.capture, fd, buffer, count, flags), s);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /**
     * {@code recvfrom(2)}: receives one datagram into a segment; critical, so {@code buffer} may be a
     * heap segment. Use only on non-blocking fds. With {@link LinuxConstants#MSG_TRUNC} in
     * {@code flags}, a UDP socket returns the datagram's real length even when it was longer than
     * {@code count} (only {@code count} bytes are copied): that is how truncation is seen.
     *
     * @param fd a non-blocking datagram socket
     * @param buffer a native or heap segment, not read-only (may be empty)
     * @param count the maximum number of bytes to copy, at most {@code buffer.byteSize()}
     * @param flags e.g. {@link LinuxConstants#MSG_TRUNC}
     * @param sender a native segment of {@link SockAddr#STORAGE_SIZE} bytes that receives the
     *        sender's address
     * @return the datagram's length (see {@code flags}), or {@code -errno} ({@code -EAGAIN} when
     *         nothing is queued, {@code -ECONNREFUSED} after an ICMP port unreachable on a connected socket)
     * @throws IndexOutOfBoundsException if {@code count} exceeds the segment
     * @throws IllegalArgumentException if {@code buffer} is read-only
     */
    public static long recvfrom(int fd, MemorySegment buffer, long count, int flags, MemorySegment sender) {
        Objects.checkFromIndexSize(0, count, buffer.byteSize());
        if (buffer.isReadOnly()) {
            throw new IllegalArgumentException("recvfrom into a read-only segment");
        }
        CallScratch s = CallScratch.current();
        MemorySegment length = addressLength(s, sender);
        try {
            return result((long) RECVFROM.invokeExact(s.capture, fd, buffer, count, flags, sender, length), s);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /**
     * {@code sendto(2)}: sends one datagram from a segment; critical, so {@code buffer} may be a heap
     * segment. Use only on non-blocking fds.
     *
     * @param fd a non-blocking datagram socket
     * @param buffer a native or heap segment (may be empty)
     * @param count the number of bytes, at most {@code buffer.byteSize()}
     * @param flags e.g. 0
     * @param target a native socket address (see {@link SockAddr#encode}), or {@link MemorySegment#NULL}
     *        on a connected socket
     * @param targetLength the address's length, 0 with {@code NULL}
     * @return {@code count}, or {@code -errno} ({@code -EAGAIN} when the send buffer is full,
     *         {@code -EMSGSIZE} for a datagram too large)
     * @throws IndexOutOfBoundsException if {@code count} exceeds the segment or {@code targetLength} the address
     */
    public static long sendto(int fd, MemorySegment buffer, long count, int flags, MemorySegment target, int targetLength) {
        Objects.checkFromIndexSize(0, count, buffer.byteSize());
        Objects.checkFromIndexSize(0, targetLength, target.byteSize());
        CallScratch s = CallScratch.current();
        try {
            return result((long) SENDTO.invokeExact(s.capture, fd, buffer, count, flags, target, targetLength), s);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /**
     * {@code readv(2)}: scatter read into the buffers an iovec array describes. Critical; use only
     * on non-blocking fds. The iovec array and every buffer must be native.
     *
     * @param fd a non-blocking fd
     * @param iov an iovec array, see {@link IoVec}
     * @param count the number of iovecs to use
     * @return the total number of bytes read (0 at end of stream), or {@code -errno}
     * @throws IndexOutOfBoundsException if {@code iov} holds fewer than {@code count} iovecs
     */
    public static long readv(int fd, MemorySegment iov, int count) {
        Objects.checkFromIndexSize(0, count * IoVec.SIZE, iov.byteSize());
        CallScratch s = CallScratch.current();
        try {
            return result((long) READV.invokeExact(s.capture, fd, iov, count), s);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /**
     * {@code writev(2)}: gather write from the buffers an iovec array describes. Critical; use only
     * on non-blocking fds. The iovec array and every buffer must be native.
     *
     * @param fd a non-blocking fd
     * @param iov an iovec array, see {@link IoVec}
     * @param count the number of iovecs to use
     * @return the total number of bytes written (possibly fewer than described), or {@code -errno}
     * @throws IndexOutOfBoundsException if {@code iov} holds fewer than {@code count} iovecs
     */
    public static long writev(int fd, MemorySegment iov, int count) {
        Objects.checkFromIndexSize(0, count * IoVec.SIZE, iov.byteSize());
        CallScratch s = CallScratch.current();
        try {
            return result((long) WRITEV.invokeExact(s.capture, fd, iov, count), s);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    // ------------------------------------------------------------------ options and names

    /**
     * {@code setsockopt(2)} with a struct value, e.g. a {@link Linger}.
     *
     * @param fd the socket
     * @param level e.g. {@link LinuxConstants#SOL_SOCKET}
     * @param name e.g. {@link LinuxConstants#SO_LINGER}
     * @param value a native segment; its whole size is passed as the option length
     * @return 0, or {@code -errno}
     */
    public static int setsockopt(int fd, int level, int name, MemorySegment value) {
        return setsockopt(CallScratch.current(), fd, level, name, value);
    }

    /**
     * {@code setsockopt(2)} with an {@code int} value, e.g. {@link LinuxConstants#TCP_NODELAY};
     * allocation-free.
     *
     * @param fd the socket
     * @param level e.g. {@link LinuxConstants#IPPROTO_TCP}
     * @param name e.g. {@link LinuxConstants#TCP_NODELAY}
     * @param value the option value (1/0 for boolean options)
     * @return 0, or {@code -errno}
     */
    public static int setsockoptInt(int fd, int level, int name, int value) {
        CallScratch s = CallScratch.current();
        s.intValue.set(JAVA_INT, 0, value);
        return setsockopt(s, fd, level, name, s.intValue);
    }

    private static int setsockopt(CallScratch s, int fd, int level, int name, MemorySegment value) {
        int size = (int) Math.min(value.byteSize(), Integer.MAX_VALUE);
        try {
            return result((int) SETSOCKOPT.invokeExact(s.capture, fd, level, name, value, size), s);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /**
     * {@code getsockopt(2)} into a struct, e.g. a {@link Linger}.
     *
     * @param fd the socket
     * @param level e.g. {@link LinuxConstants#SOL_SOCKET}
     * @param name e.g. {@link LinuxConstants#SO_LINGER}
     * @param value a native segment that receives the option; its size is the buffer length
     * @return 0, or {@code -errno}
     */
    public static int getsockopt(int fd, int level, int name, MemorySegment value) {
        return getsockopt(CallScratch.current(), fd, level, name, value);
    }

    /**
     * {@code getsockopt(2)} of an {@code int} option, e.g. {@link LinuxConstants#SO_ERROR} after a
     * non-blocking connect; allocation-free.
     *
     * <p>The result is a {@code long} so that value and error cannot be confused: on success it is
     * the option's 32 bits zero-extended ({@code 0 <= result <= 0xFFFFFFFF}; cast to {@code int}
     * for the signed value), on failure {@code -errno}.
     *
     * @param fd the socket
     * @param level e.g. {@link LinuxConstants#SOL_SOCKET}
     * @param name e.g. {@link LinuxConstants#SO_ERROR}
     * @return the value as an unsigned 32-bit number, or {@code -errno}
     */
    public static long getsockoptInt(int fd, int level, int name) {
        CallScratch s = CallScratch.current();
        int r = getsockopt(s, fd, level, name, s.intValue);
        return r < 0 ? r : Integer.toUnsignedLong(s.intValue.get(JAVA_INT, 0));
    }

    private static int getsockopt(CallScratch s, int fd, int level, int name, MemorySegment value) {
        s.length.set(JAVA_INT, 0, (int) Math.min(value.byteSize(), Integer.MAX_VALUE));
        try {
            return result((int) GETSOCKOPT.invokeExact(s.capture, fd, level, name, value, s.length), s);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /**
     * {@code getsockname(2)}: the local address of a socket.
     *
     * @param fd the socket
     * @param address a native segment of {@link SockAddr#STORAGE_SIZE} bytes; decode with {@link
     *        SockAddr#decode}
     * @return 0, or {@code -errno}
     */
    public static int getsockname(int fd, MemorySegment address) {
        CallScratch s = CallScratch.current();
        MemorySegment length = addressLength(s, address);
        try {
            return result((int) GETSOCKNAME.invokeExact(s.capture, fd, address, length), s);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /**
     * {@code getpeername(2)}: the remote address of a connected socket.
     *
     * @param fd the socket
     * @param address a native segment of {@link SockAddr#STORAGE_SIZE} bytes; decode with {@link
     *        SockAddr#decode}
     * @return 0, or {@code -errno} ({@code -ENOTCONN} when not connected)
     */
    public static int getpeername(int fd, MemorySegment address) {
        CallScratch s = CallScratch.current();
        MemorySegment length = addressLength(s, address);
        try {
            return result((int) GETPEERNAME.invokeExact(s.capture, fd, address, length), s);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /** The in/out socklen_t for an address buffer, or NULL when no address is wanted. */
    private static MemorySegment addressLength(CallScratch s, MemorySegment address) {
        if (address.byteSize() == 0) {
            return MemorySegment.NULL;
        }
        s.length.set(JAVA_INT, 0, (int) Math.min(address.byteSize(), Integer.MAX_VALUE));
        return s.length;
    }

    // ------------------------------------------------------------------ fcntl, limits, messages

    /**
     * {@code fcntl(2)} with a command that takes no argument and returns the flags: {@link
     * LinuxConstants#F_GETFD} (test for {@code FD_CLOEXEC}) or {@link LinuxConstants#F_GETFL}
     * (test for {@code O_NONBLOCK}). Meant for tests and diagnostics: fiberio sets both flags at
     * creation, never with fcntl.
     *
     * @param fd the fd
     * @param command {@code F_GETFD} or {@code F_GETFL}
     * @return the flags, or {@code -errno}
     */
    public static int fcntl(int fd, int command) {
        CallScratch s = CallScratch.current();
        try {
            return result((int) FCNTL.invokeExact(s.capture, fd, command), s);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /**
     * {@code getrlimit(2)}: reads a resource limit.
     *
     * @param resource e.g. {@link LinuxConstants#RLIMIT_NOFILE}
     * @param rlimit a native {@link RLimit} that receives the limits
     * @return 0, or {@code -errno}
     */
    public static int getrlimit(int resource, MemorySegment rlimit) {
        Objects.checkFromIndexSize(0, RLimit.LAYOUT.byteSize(), rlimit.byteSize());
        CallScratch s = CallScratch.current();
        try {
            return result((int) GETRLIMIT.invokeExact(s.capture, resource, rlimit), s);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /**
     * {@code setrlimit(2)}: changes a resource limit of this process, e.g. to raise the soft fd
     * limit up to the hard one at startup.
     *
     * @param resource e.g. {@link LinuxConstants#RLIMIT_NOFILE}
     * @param rlimit a native {@link RLimit} with the new limits
     * @return 0, or {@code -errno} ({@code -EINVAL} if soft exceeds hard, {@code -EPERM} when
     *         raising the hard limit without privilege)
     */
    public static int setrlimit(int resource, MemorySegment rlimit) {
        Objects.checkFromIndexSize(0, RLimit.LAYOUT.byteSize(), rlimit.byteSize());
        CallScratch s = CallScratch.current();
        try {
            return result((int) SETRLIMIT.invokeExact(s.capture, resource, rlimit), s);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /**
     * The C library's description of an errno value, via the thread-safe XSI {@code strerror_r}.
     * For the failure path only: it allocates.
     *
     * @param errno an errno value
     * @return e.g. {@code "Connection reset by peer"}; {@code "Unknown error N"} style text for
     *         values the C library does not know
     */
    public static String strerror(int errno) {
        // Owner: this call; the confined arena frees the buffer when the try block ends.
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(STRERROR_BUFFER_SIZE);
            int r = (int) STRERROR_R.invokeExact(errno, buffer, (long) STRERROR_BUFFER_SIZE);
            String text = buffer.getString(0);
            return r == 0 || !text.isEmpty() ? text : "Unknown error " + errno;
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }
}
