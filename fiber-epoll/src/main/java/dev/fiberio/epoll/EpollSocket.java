package dev.fiberio.epoll;

import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_UNIX;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SHUT_RD;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SHUT_WR;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_CLOEXEC;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_NONBLOCK;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_STREAM;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOL_SOCKET;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SO_ERROR;

import dev.fiberio.nativeio.ffi.Errno;
import dev.fiberio.nativeio.ffi.LibC;
import dev.fiberio.nativeio.ffi.SockAddr;
import dev.fiberio.net.spi.SocketErrors;
import dev.fiberio.net.spi.SocketHandle;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.net.SocketException;

/**
 * A TCP connection on epoll. Reads and writes go straight to {@code read(2)}/{@code write(2)} on the
 * caller's memory (heap segments included: the calls are linked critical) and wait on the
 * direction's slot only on {@code EAGAIN}. One reader and one writer at a time (FiberSocket
 * serialises callers).
 */
final class EpollSocket extends EpollChannel implements SocketHandle {
    private volatile SocketAddress remote;

    private EpollSocket(int fd, int family, EpollPoller poller, SocketAddress remote) throws IOException {
        super(fd, family, poller);
        this.remote = remote;
    }

    /**
     * Opens an unconnected non-blocking, close-on-exec stream socket in the caller's epoll group. The
     * group is chosen first: it may refuse (a closed scheduler), and nothing is open yet then.
     */
    static EpollSocket open(int family) throws IOException {
        return open(family, EpollGroup.current().next());
    }

    /** Opens a socket registered with a given poller (tests drive that poller themselves). */
    static EpollSocket open(int family, EpollPoller poller) throws IOException {
        int fd = LibC.socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw Errno.toException("socket", -fd);
        }
        return new EpollSocket(fd, family, poller, null);
    }

    /**
     * Wraps an accepted descriptor, registered with {@code poller}. Owns {@code fd} from the start:
     * if the registration fails, the descriptor is closed here and the caller must not close it again.
     */
    static EpollSocket accepted(int fd, int family, SocketAddress remote, EpollPoller poller) throws IOException {
        return new EpollSocket(fd, family, poller, remote);
    }

    @Override
    public void bind(SocketAddress local) throws IOException {
        MemorySegment sa = ADDRESS_SCRATCH.get();
        int len = encode(local, sa);
        check("bind", withFd(() -> LibC.bind(fd.fd, sa, len)));
    }

    @Override
    public void connect(SocketAddress address, long deadline) throws IOException {
        // Kept across the suspension while the connect completes: an automatic arena (GC-freed),
        // never a confined one, since the fiber may resume on another thread.
        MemorySegment sa = SockAddr.allocate(Arena.ofAuto());
        int len = encode(address, sa);
        int r = withFd(() -> LibC.connect(fd.fd, sa, len));
        while (r < 0) {
            int e = -r;
            if (e == Errno.EISCONN) {
                break;
            }
            if (e != Errno.EINPROGRESS && e != Errno.EALREADY && e != Errno.EINTR) {
                throw connectError(e);
            }
            awaitReady(writeSlot, deadline, SocketErrors::connectTimedOut);
            // Woken: the slot may hold a stale permit, so ask the kernel where the connect stands.
            long soError = withFdLong(() -> LibC.getsockoptInt(fd.fd, SOL_SOCKET, SO_ERROR));
            if (soError < 0) {
                throw Errno.toException("getsockopt(SO_ERROR)", (int) -soError);
            }
            if (soError > 0) {
                throw Errno.toException("connect", (int) soError);
            }
            r = withFd(() -> LibC.connect(fd.fd, sa, len));
        }
        remote = address;
    }

    /** The JDK's exceptions: a missing AF_UNIX path is a {@code SocketException} with the system's text. */
    private IOException connectError(int errno) {
        IOException e = Errno.toException("connect", errno);
        if (family == AF_UNIX && errno == Errno.ENOENT) {
            SocketException s = new SocketException(LibC.strerror(errno));
            s.initCause(e);
            return s;
        }
        return e;
    }

    @Override
    public int read(MemorySegment dst, long deadline) throws IOException {
        long len = Math.min(dst.byteSize(), Integer.MAX_VALUE);
        if (len == 0) {
            return 0;
        }
        for (;;) {
            begin();
            long n;
            try {
                n = LibC.read(fd.fd, dst, len);
            } finally {
                end();
            }
            if (n > 0) {
                return (int) n;
            }
            if (n == 0) {
                return -1;
            }
            int e = (int) -n;
            if (e == Errno.EAGAIN) {
                awaitReady(readSlot, deadline, SocketErrors::readTimedOut);
            } else if (e != Errno.EINTR) {
                throw ioError("read", e);
            }
        }
    }

    @Override
    public int write(MemorySegment src, long deadline) throws IOException {
        long len = Math.min(src.byteSize(), Integer.MAX_VALUE);
        if (len == 0) {
            return 0;
        }
        for (;;) {
            begin();
            long n;
            try {
                n = LibC.write(fd.fd, src, len);
            } finally {
                end();
            }
            if (n >= 0) {
                if (n > 0) {
                    return (int) n;
                }
                continue;
            }
            int e = (int) -n;
            if (e == Errno.EAGAIN) {
                awaitReady(writeSlot, deadline, SocketErrors::writeTimedOut);
            } else if (e != Errno.EINTR) {
                throw ioError("write", e);
            }
        }
    }

    private static IOException ioError(String operation, int errno) {
        if (errno == Errno.ECONNRESET) {
            return SocketErrors.connectionReset();
        }
        if (errno == Errno.EPIPE) {
            return SocketErrors.brokenPipe();
        }
        return Errno.toException(operation, errno);
    }

    @Override
    public void shutdownInput() throws IOException {
        shutdown(SHUT_RD, "shutdown(SHUT_RD)");
    }

    @Override
    public void shutdownOutput() throws IOException {
        shutdown(SHUT_WR, "shutdown(SHUT_WR)");
    }

    private void shutdown(int how, String what) throws IOException {
        int r = withFd(() -> LibC.shutdown(fd.fd, how));
        if (r < 0) {
            if (-r == Errno.ENOTCONN) {
                throw new SocketException("Socket is not connected");
            }
            throw Errno.toException(what, -r);
        }
    }

    @Override
    public SocketAddress remoteAddress() throws IOException {
        if (fd.isClosed()) {
            throw closedException();
        }
        return remote;
    }

    private long withFdLong(java.util.function.LongSupplier call) throws IOException {
        begin();
        try {
            return call.getAsLong();
        } finally {
            end();
        }
    }

    @Override
    public String toString() {
        return "EpollSocket[fd=" + fd.fd + (fd.isClosed() ? ", closed" : "") + ", remote=" + remote + "]";
    }
}
