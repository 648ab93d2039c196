package dev.fiberio.uring;

import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_UNIX;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_CLOEXEC;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_NONBLOCK;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_STREAM;
import static dev.fiberio.uring.ffi.UringConstants.ECANCELED;
import static dev.fiberio.uring.ffi.UringConstants.IORING_ACCEPT_MULTISHOT;
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
 * A listening stream socket (TCP, or AF_UNIX) on io_uring. Where the kernel has it (5.19+), one multishot IORING_OP_ACCEPT
 * stays armed from the first accept on and queues a completion per connection ({@link AcceptQueue});
 * otherwise each accept is one IORING_OP_ACCEPT. Either way the new descriptor is created non-blocking
 * and close-on-exec by the kernel. The accept record holds the peer's
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
    /** The accept record when accepts are multishot, else null. */
    private final AcceptQueue multishot;
    private final OperationRecord[] records;
    private final Supplier<Ring> connectionRings;

    private UringServerSocket(int fd, int family, Ring ring, Supplier<Ring> connectionRings) throws IOException {
        super(fd, family, ring);
        this.connectionRings = connectionRings;
        if (ring.features().multishotAccept) {
            multishot = register(new AcceptQueue());
            acceptRecord = multishot;
        } else {
            multishot = null;
            acceptRecord = newRecord((int) SockAddr.STORAGE_SIZE + 8);
        }
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

    /** The accept record is released: connections accepted for nobody are closed. */
    @Override
    void released(OperationRecord r) {
        if (r instanceof AcceptQueue queue) {
            AcceptQueue.closeUnclaimed(queue);
        } else if (r.hasResult()) {
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
        return multishot != null ? acceptQueued(deadline) : acceptOne(deadline);
    }

    /**
     * Takes a connection the armed multishot accept queued, arming it first if it is not (the first
     * accept, or after it ended); it stays armed when this returns, so connections arriving between
     * accepts are taken by the kernel without a new request. A deadline or a cancellation leaves it armed.
     */
    private SocketHandle acceptQueued(long deadline) throws IOException {
        Ring target = connectionRings.get(); // before the accept: nothing may fail between it and the new socket
        long backoff = MIN_BACKOFF;
        int attempts = 0; // consecutive completions that ended with ECANCELED, EINTR or EAGAIN
        acquire(multishot);
        try {
            for (;;) {
                if (!isOpen()) {
                    throw closedException();
                }
                int error;
                int value;
                Long queued = multishot.poll();
                // One read of the ownership word: the reaper clears KERNEL and sets DONE in one step.
                int state = multishot.stateVolatile();
                if (queued != null) {
                    error = AcceptQueue.error(queued);
                    value = AcceptQueue.value(queued);
                } else if ((state & OperationRecord.DONE) != 0) {
                    OperationRecord.Completion c = multishot.consume(); // the request ended with this one
                    error = c.error();
                    value = c.value();
                } else if ((state & OperationRecord.KERNEL) == 0) {
                    multishot.armed();
                    start(multishot, IORING_OP_ACCEPT, 0, 0, 0, 0, 0, SOCK_NONBLOCK | SOCK_CLOEXEC,
                            IORING_ACCEPT_MULTISHOT);
                    continue;
                } else {
                    if (Deadlines.hasPassed(deadline)) {
                        throw SocketErrors.acceptTimedOut();
                    }
                    Deadlines.awaitOnce(multishot.slot(), deadline); // a completion, a close or the deadline
                    continue;
                }
                if (error == 0) {
                    return connection(value, target);
                }
                if (error == ECANCELED && !isOpen()) {
                    throw closedException();
                }
                if (exhausted(error)) {
                    backoff = backOff(error, backoff, deadline, multishot);
                    attempts = 0;
                } else if (error == ECANCELED || error == Errno.EINTR || error == Errno.EAGAIN) {
                    if (!retryable(error, ++attempts)) {
                        throw Errno.toException("accept", error);
                    }
                } else if (error == Errno.ECONNABORTED || error == Errno.EPROTO || error == Errno.EPERM) {
                    backoff = MIN_BACKOFF; // that connection failed, not the listener: the next may succeed
                    attempts = 0;
                } else {
                    throw Errno.toException("accept", error);
                }
            }
        } finally {
            multishot.release();
        }
    }

    /** Wraps an accepted descriptor; the new socket owns it and closes it itself if it cannot be set up. */
    private SocketHandle connection(int newFd, Ring target) throws IOException {
        MemorySegment sa = ADDRESS_SCRATCH.get();
        // A multishot accept passes no address (each completion would overwrite the last): ask the socket.
        // Zeroed first: an AF_UNIX peer is usually unnamed, and the kernel then writes only the family.
        sa.fill((byte) 0);
        SocketAddress peer = LibC.getpeername(newFd, sa) == 0 ? SockAddr.decodeAny(sa) : null;
        return UringSocket.accepted(newFd, family, peer, target);
    }

    private static boolean exhausted(int e) {
        return e == Errno.EMFILE || e == Errno.ENFILE || e == Errno.ENOBUFS || e == Errno.ENOMEM;
    }

    /** Out of descriptors or memory: waits (close ends it early), logged at most every 10 s; returns the next backoff. */
    private long backOff(int e, long backoff, long deadline, OperationRecord record) throws IOException {
        EXHAUSTED_LOG.warn("accept on {} failed with {}: out of descriptors or memory; retrying in {} ms",
                localAddressOrNull(), Errno.name(e), TimeUnit.NANOSECONDS.toMillis(backoff));
        if (Deadlines.hasPassed(deadline)) {
            throw SocketErrors.acceptTimedOut();
        }
        long retryAt = System.nanoTime() + backoff;
        if (deadline != Deadlines.NO_DEADLINE && deadline - retryAt < 0) {
            retryAt = deadline;
        }
        Deadlines.awaitOnce(record.slot(), retryAt); // close ends it early
        if (!isOpen()) {
            throw closedException();
        }
        return Math.min(backoff * 2, MAX_BACKOFF);
    }

    @Override
    public void close() {
        super.close();
        if (multishot != null) {
            multishot.closeQueued(); // after CLOSED was set: the reaper closes what it queues from now on
        }
    }

    /** Connections the multishot accept queued and nobody accepted yet (tests). */
    int queuedConnections() {
        return multishot == null ? 0 : multishot.queuedCount();
    }

    /** One IORING_OP_ACCEPT per connection, with the peer's address (kernels without multishot accept). */
    private SocketHandle acceptOne(long deadline) throws IOException {
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
                if (exhausted(e)) {
                    backoff = backOff(e, backoff, deadline, acceptRecord);
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
