package dev.fiberio.uring;

import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_UNIX;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_CLOEXEC;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_NONBLOCK;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_STREAM;
import static dev.fiberio.uring.ffi.UringConstants.ECANCELED;
import static dev.fiberio.uring.ffi.UringConstants.IORING_OP_ACCEPT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.fiberio.nativeio.RateLimitedLog;
import dev.fiberio.nativeio.completion.OperationRecord;
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
 * A listening stream socket (TCP, or AF_UNIX) on io_uring: each accept is one IORING_OP_ACCEPT whose new descriptor is
 * created non-blocking and close-on-exec by the kernel. The accept record holds the peer's
 * {@code sockaddr_storage} and its length while the kernel may write them. When the process or the
 * system runs out of descriptors or memory, accept backs off (1 ms doubling to 1 s) with a rate-limited
 * warning, as the epoll backend does. An accept that completes after its socket was closed (or its
 * caller gave up) has its new descriptor closed when the record is released, so it cannot leak.
 */
final class UringServerSocket extends UringChannel implements ServerSocketHandle {
    private static final Logger LOG = LoggerFactory.getLogger(UringServerSocket.class);
    private static final RateLimitedLog EXHAUSTED_LOG = new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(10));
    private static final long MIN_BACKOFF = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_BACKOFF = TimeUnit.SECONDS.toNanos(1);
    private static final long LENGTH_OFFSET = SockAddr.STORAGE_SIZE;

    private final OperationRecord acceptRecord;
    private final OperationRecord[] records;
    private final Supplier<Ring> connectionRings;

    private UringServerSocket(int fd, int family, Ring ring, Supplier<Ring> connectionRings) throws IOException {
        super(fd, family, ring);
        this.connectionRings = connectionRings;
        acceptRecord = newRecord((int) SockAddr.STORAGE_SIZE + 8, UringServerSocket::closeUnclaimedConnection);
        records = new OperationRecord[] {acceptRecord};
    }

    /** Opens a listening socket on the caller's ring; connections go to the accepting caller's ring. */
    static UringServerSocket open(int family) throws IOException {
        return open(family, UringGroup.current().next(), () -> UringGroup.current().nextInTurn());
    }

    /** Opens a listening socket on {@code ring} whose connections go to the rings {@code connectionRings} supplies. */
    static UringServerSocket open(int family, Ring ring, Supplier<Ring> connectionRings) throws IOException {
        int fd = LibC.socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw Errno.toException("socket", -fd);
        }
        return new UringServerSocket(fd, family, ring, connectionRings);
    }

    /** Release action of the accept record: a connection accepted for nobody is closed. */
    private static void closeUnclaimedConnection(OperationRecord r) {
        if (r.hasResult()) {
            OperationRecord.Completion c = r.consume();
            if (c.succeeded()) {
                LibC.close(c.value());
            }
        }
    }

    @Override
    OperationRecord[] records() {
        return records;
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
        Ring target = connectionRings.get(); // before the accept: nothing may fail between it and the new socket
        long backoff = MIN_BACKOFF;
        int attempts = 0; // consecutive ones that ended with ECANCELED, EINTR or EAGAIN
        acquire(acceptRecord);
        try {
            for (;;) {
                MemorySegment m = acceptRecord.memory();
                OperationRecord.Completion c = leftover(acceptRecord, deadline, SocketErrors::acceptTimedOut);
                if (c == null) {
                    if (family == AF_UNIX) {
                        m.asSlice(0, SockAddr.STORAGE_SIZE).fill((byte) 0); // the kernel writes only as much of sun_path as the name has
                    }
                    m.set(JAVA_INT, LENGTH_OFFSET, (int) SockAddr.STORAGE_SIZE);
                    c = run(acceptRecord, IORING_OP_ACCEPT, m.address(), 0, m.address() + LENGTH_OFFSET,
                            SOCK_NONBLOCK | SOCK_CLOEXEC, deadline, SocketErrors::acceptTimedOut);
                }
                if (c.succeeded()) {
                    SocketAddress peer = SockAddr.decodeAny(m);
                    // The new socket owns the descriptor and closes it itself if it cannot be set up.
                    return UringSocket.accepted(c.value(), family, peer, target);
                }
                int e = c.error();
                if (e == ECANCELED && !isOpen()) {
                    throw closedException();
                }
                if (e == Errno.EMFILE || e == Errno.ENFILE || e == Errno.ENOBUFS || e == Errno.ENOMEM) {
                    EXHAUSTED_LOG.warn("accept on {} failed with {}: out of descriptors or memory; retrying in {} ms",
                            localAddressOrNull(), Errno.name(e), TimeUnit.NANOSECONDS.toMillis(backoff));
                    if (Deadlines.hasPassed(deadline)) {
                        throw SocketErrors.acceptTimedOut();
                    }
                    long retryAt = System.nanoTime() + backoff;
                    if (deadline != Deadlines.NO_DEADLINE && deadline - retryAt < 0) {
                        retryAt = deadline;
                    }
                    Deadlines.awaitOnce(acceptRecord.slot(), retryAt); // close ends it early
                    if (!isOpen()) {
                        throw closedException();
                    }
                    backoff = Math.min(backoff * 2, MAX_BACKOFF);
                    attempts = 0;
                } else if (e == ECANCELED || e == Errno.EINTR || e == Errno.EAGAIN) {
                    if (!retryable(e, ++attempts)) {
                        throw Errno.toException("accept", e);
                    }
                } else if (e == Errno.ECONNABORTED || e == Errno.EPROTO || e == Errno.EPERM) {
                    backoff = MIN_BACKOFF; // that connection failed, not the listener: the next may succeed
                    attempts = 0;
                } else {
                    throw Errno.toException("accept", e);
                }
            }
        } finally {
            acceptRecord.release();
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
        return "UringServerSocket[fd=" + fd.fd + (fd.isClosed() ? ", closed" : "") + "]";
    }
}
