package dev.fiberio.epoll;

import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_UNIX;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_CLOEXEC;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_NONBLOCK;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_STREAM;

import dev.fiberio.nativeio.RateLimitedLog;
import dev.fiberio.nativeio.ffi.Errno;
import dev.fiberio.nativeio.ffi.LibC;
import dev.fiberio.nativeio.ffi.SockAddr;
import dev.fiberio.net.spi.Deadlines;
import dev.fiberio.net.spi.ServerSocketHandle;
import dev.fiberio.net.spi.SocketErrors;
import dev.fiberio.net.spi.SocketHandle;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listening TCP socket on epoll. {@code accept4} creates every connection non-blocking and
 * close-on-exec in the same call. When the process or system runs out of descriptors
 * ({@code EMFILE}/{@code ENFILE}, or out of buffers), accept backs off with a growing delay
 * (1 ms doubling to 1 s) and a rate-limited warning instead of spinning on the still-pending
 * connection, and resumes as soon as a call succeeds again.
 */
final class EpollServerSocket extends EpollChannel implements ServerSocketHandle {
    private static final Logger LOG = LoggerFactory.getLogger(EpollServerSocket.class);
    private static final RateLimitedLog EXHAUSTED_LOG = new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(10));
    private static final long MIN_BACKOFF = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_BACKOFF = TimeUnit.SECONDS.toNanos(1);

    /** Where accepted connections are registered, asked by the accepting caller (tests may choose). */
    private final Supplier<EpollPoller> connectionPollers;

    private EpollServerSocket(int fd, int family, EpollPoller poller, Supplier<EpollPoller> connectionPollers)
            throws IOException {
        super(fd, family, poller);
        this.connectionPollers = connectionPollers;
    }

    /**
     * Opens an unbound non-blocking, close-on-exec stream socket for listening, in the epoll group of
     * the caller ({@link EpollGroup#current()}); each accepted connection goes to the group of the
     * fiber (or thread) that accepts it.
     */
    static EpollServerSocket open(int family) throws IOException {
        return open(family, EpollGroup.current().next(), () -> EpollGroup.current().next());
    }

    /**
     * Opens a listening socket registered with {@code poller} whose connections are registered with
     * the pollers {@code connectionPollers} supplies (tests drive or break those pollers themselves).
     */
    static EpollServerSocket open(int family, EpollPoller poller, Supplier<EpollPoller> connectionPollers) throws IOException {
        int fd = LibC.socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw Errno.toException("socket", -fd);
        }
        return new EpollServerSocket(fd, family, poller, connectionPollers);
    }

    @Override
    public void bind(SocketAddress local, int backlog) throws IOException {
        MemorySegment sa = ADDRESS_SCRATCH.get();
        int len = encode(local, sa);
        check("bind", withFd(() -> LibC.bind(fd.fd, sa, len)));
        check("listen", withFd(() -> LibC.listen(fd.fd, backlog < 1 ? 50 : backlog)));
    }

    @Override
    public SocketHandle accept(long deadline) throws IOException {
        EpollPoller target = connectionPollers.get(); // before accept4: nothing may fail between it and the new socket
        long backoff = MIN_BACKOFF;
        for (;;) {
            int nfd;
            SocketAddress peer = null;
            begin();
            try {
                MemorySegment storage = ADDRESS_SCRATCH.get();
                if (family == AF_UNIX) {
                    storage.fill((byte) 0); // the kernel writes only as much of sun_path as the name has
                }
                nfd = LibC.accept4(fd.fd, storage, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (nfd >= 0) {
                    peer = SockAddr.decodeAny(storage);
                }
            } finally {
                end();
            }
            if (nfd >= 0) {
                // The new socket owns nfd and closes it itself if its registration fails: closing it
                // here too would close whatever descriptor another thread got under the same number.
                return EpollSocket.accepted(nfd, family, peer, target);
            }
            int e = -nfd;
            if (e == Errno.EAGAIN) {
                awaitReady(readSlot, deadline, SocketErrors::acceptTimedOut);
                backoff = MIN_BACKOFF;
            } else if (e == Errno.EMFILE || e == Errno.ENFILE || e == Errno.ENOBUFS || e == Errno.ENOMEM) {
                EXHAUSTED_LOG.warn("accept on {} failed with {}: out of descriptors or memory; retrying in {} ms",
                        localAddressOrNull(), Errno.name(e), TimeUnit.NANOSECONDS.toMillis(backoff));
                if (Deadlines.hasPassed(deadline)) {
                    throw SocketErrors.acceptTimedOut();
                }
                long retryAt = System.nanoTime() + backoff;
                if (deadline != Deadlines.NO_DEADLINE && deadline - retryAt < 0) {
                    retryAt = deadline;
                }
                awaitReady(readSlot, retryAt, SocketErrors::acceptTimedOut); // close or a new event ends it early
                backoff = Math.min(backoff * 2, MAX_BACKOFF);
            } else if (e != Errno.EINTR && e != Errno.ECONNABORTED && e != Errno.EPROTO && e != Errno.EPERM) {
                throw Errno.toException("accept4", e);
            }
        }
    }

    private SocketAddress localAddressOrNull() {
        try {
            return localAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "EpollServerSocket[fd=" + fd.fd + (fd.isClosed() ? ", closed" : "") + "]";
    }
}
