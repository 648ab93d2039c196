package dev.fiberio.epoll;

import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_UNIX;

import dev.fiberio.nativeio.NativeFd;
import dev.fiberio.nativeio.TokenTable;
import dev.fiberio.core.spi.CarrierLocal;
import dev.fiberio.core.spi.WaitSlot;
import dev.fiberio.nativeio.ffi.Errno;
import dev.fiberio.nativeio.ffi.LibC;
import dev.fiberio.nativeio.ffi.SocketOptions;
import dev.fiberio.nativeio.ffi.SockAddr;
import dev.fiberio.net.spi.Deadlines;
import dev.fiberio.net.spi.NetHandle;
import dev.fiberio.net.spi.SocketErrors;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What every epoll-backed socket shares: the descriptor's life cycle ({@link NativeFd}), its single
 * registration with an {@link EpollPoller}, one {@link WaitSlot} per direction, options and addresses.
 *
 * <p>An operation tries its system call first and waits only on {@code EAGAIN}: {@link #awaitReady}
 * checks for close and deadline, waits on the direction's slot (a readiness event, close, timeout or
 * cancellation wakes it) and returns so the caller retries. {@link #close()} marks the descriptor
 * closed and then {@linkplain WaitSlot#signal() signals} both slots: a signal, not an interrupt,
 * because an operation that already saw the descriptor open but has not started to wait yet must
 * still find the wake-up (as a permit) when it does.
 */
abstract class EpollChannel implements NetHandle {
    /** Descriptors opened by this backend and not yet closed (for leak tests and diagnostics). */
    static final AtomicLong OPEN_FDS = new AtomicLong();
    /**
     * A {@code sockaddr_storage} per carrier, for calls that do not suspend (bind, getsockname, accept4).
     * Never a confined arena in fiber code: a fiber may resume on another thread, and a confined
     * segment then throws {@link WrongThreadException}. Freed by the GC with its carrier.
     */
    static final CarrierLocal<MemorySegment> ADDRESS_SCRATCH = new CarrierLocal<>(() -> SockAddr.allocate(Arena.ofAuto()));

    final NativeFd fd;
    final int family;
    final WaitSlot readSlot = new WaitSlot();
    final WaitSlot writeSlot = new WaitSlot();
    private final EpollPoller poller;
    /** Written once by {@link TokenTable#add} before the registration is published. */
    long token;
    /**
     * Set by the poller, once, when an event reported a condition that lasts without further events:
     * the peer's end of stream (EPOLLRDHUP), a hang-up or error, or TCP urgent data (EPOLLPRI, where a
     * read stops short at the mark with data left). A read after a short one then still asks the
     * kernel instead of waiting for an event that would never come.
     */
    volatile boolean lastingReadCondition;
    /** Why the channel was closed by its poller rather than its owner (see {@link #closeBecause}), or null. */
    private volatile String closedBecause;

    /** Takes ownership of {@code fd} and registers it; closes it if registration fails. */
    EpollChannel(int fd, int family, EpollPoller poller) throws IOException {
        OPEN_FDS.incrementAndGet();
        this.fd = new NativeFd(fd, OPEN_FDS::decrementAndGet);
        this.family = family;
        this.poller = poller;
        try {
            poller.register(this, fd);
        } catch (IOException | RuntimeException e) {
            this.fd.close();
            throw e;
        }
    }

    /** Begins a system call on the descriptor; throws if the socket is closed. */
    final void begin() throws IOException {
        if (!fd.acquire()) {
            throw closedException();
        }
    }

    /** Ends a system call begun with {@link #begin()}. */
    final void end() {
        fd.release();
    }

    /**
     * Waits once for readiness in one direction, after a system call said {@code EAGAIN}. Returns
     * when the caller should retry; throws if the socket was closed, the deadline passed or the fiber
     * was cancelled.
     */
    final void awaitReady(WaitSlot slot, long deadline, Supplier<SocketTimeoutException> timeout) throws IOException {
        if (fd.isClosed()) {
            throw closedException();
        }
        if (Deadlines.hasPassed(deadline)) {
            throw timeout.get();
        }
        Deadlines.awaitOnce(slot, deadline);
        if (fd.isClosed()) {
            throw closedException();
        }
    }

    /**
     * Whether a read that returned {@code n} (bytes, or a negated errno) for {@code len} asked left the
     * socket empty as far as the next read needs to know: nothing was there ({@code EAGAIN}), or a
     * short read took everything, unless the poller has reported a state that lasts without new events
     * ({@code lastingReadCondition}, a volatile read: the poller sets it before the wake-up it sends).
     */
    final boolean leftEmpty(long n, long len) {
        return n == -Errno.EAGAIN || n > 0 && n < len && !lastingReadCondition;
    }

    @Override
    public final boolean isOpen() {
        return !fd.isClosed();
    }

    /**
     * Closes the channel for a reason its users will see in their "Socket closed" exception: used when
     * its epoll instance closes under it.
     */
    final void closeBecause(String why) {
        closedBecause = why; // volatile write before the close that users observe
        close();
    }

    /** The exception for an operation on, or woken by the closing of, this channel. */
    final java.net.SocketException closedException() {
        String why = closedBecause;
        return why == null ? SocketErrors.socketClosed() : SocketErrors.socketClosed(why);
    }

    @Override
    public void close() {
        if (fd.close()) {
            poller.deregister(this);
            readSlot.signal();
            writeSlot.signal();
        }
    }

    @Override
    public SocketAddress localAddress() throws IOException {
        if (fd.isClosed()) {
            throw closedException();
        }
        MemorySegment storage = ADDRESS_SCRATCH.get();
        if (family == AF_UNIX) {
            storage.fill((byte) 0); // the kernel writes only as much of sun_path as the name has
        }
        begin();
        int r;
        try {
            r = LibC.getsockname(fd.fd, storage);
        } finally {
            end();
        }
        if (r < 0) {
            throw Errno.toException("getsockname", -r);
        }
        return SockAddr.decodeBound(family, storage);
    }

    /**
     * Encodes {@code address} for this socket's family (IPv4 as IPv4-mapped on an IPv6 socket; a
     * {@link UnixDomainSocketAddress} on an {@code AF_UNIX} socket).
     */
    final int encode(SocketAddress socketAddress, MemorySegment storage) throws IOException {
        return SockAddr.encodeFor(family, socketAddress, storage);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return SocketOptions.ofStream(family);
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        SocketOptions.setStream(fd, family, this::closedException, option, value);
    }

    @Override
    public <T> T getOption(SocketOption<T> option) throws IOException {
        return SocketOptions.getStream(fd, family, this::closedException, option);
    }

    /** Runs a short system call on the descriptor between begin() and end(). */
    final int withFd(IntCall call) throws IOException {
        begin();
        try {
            return call.run();
        } finally {
            end();
        }
    }

    static void check(String operation, int result) throws IOException {
        if (result < 0) {
            throw Errno.toException(operation, -result);
        }
    }

    /** A system call returning an int or -errno. */
    @FunctionalInterface
    interface IntCall {
        int run();
    }
}
