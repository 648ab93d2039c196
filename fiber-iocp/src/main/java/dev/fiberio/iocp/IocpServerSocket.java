package dev.fiberio.iocp;

import static dev.fiberio.iocp.win32.Win32Constants.ACCEPTEX_ADDRESS_LENGTH;
import static dev.fiberio.iocp.win32.Win32Constants.INVALID_SOCKET;
import static dev.fiberio.iocp.win32.Win32Constants.IPPROTO_TCP;
import static dev.fiberio.iocp.win32.Win32Constants.SOCK_STREAM;
import static dev.fiberio.iocp.win32.Win32Constants.SOL_SOCKET;
import static dev.fiberio.iocp.win32.Win32Constants.SO_UPDATE_ACCEPT_CONTEXT;
import static dev.fiberio.iocp.win32.Win32Constants.WSAECONNABORTED;
import static dev.fiberio.iocp.win32.Win32Constants.WSAECONNRESET;
import static dev.fiberio.iocp.win32.Win32Constants.WSA_FLAG_NO_HANDLE_INHERIT;
import static dev.fiberio.iocp.win32.Win32Constants.WSA_FLAG_OVERLAPPED;
import static dev.fiberio.iocp.win32.Win32Constants.WSA_OPERATION_ABORTED;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.fiberio.iocp.win32.SockAddrs;
import dev.fiberio.iocp.win32.Win32Error;
import dev.fiberio.net.spi.Deadlines;
import dev.fiberio.net.spi.ServerSocketHandle;
import dev.fiberio.net.spi.SocketErrors;
import dev.fiberio.net.spi.SocketHandle;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listening TCP socket on an I/O completion port, accepting with AcceptEx.
 *
 * <p>Each accept creates the accepting socket first (overlapped, non-inheritable, of the
 * listener's family, unbound, as AcceptEx requires) and hands it to AcceptEx with the accept
 * record's buffer for the two address blocks ({@link #ADDRESSES} bytes, no receive data). The
 * completion is queued to the listener's port under the listener's key. Then
 * SO_UPDATE_ACCEPT_CONTEXT (so getsockname, getpeername and shutdown work on the new socket, AcceptEx
 * docs), GetAcceptExSockaddrs for the peer's address, and the new socket is associated with the port.
 *
 * <p>The accepting socket of an operation in flight ({@code candidate}) belongs to that operation:
 * it is closed when the operation fails, or, after a close or cancellation, by the accept record's
 * release (which happens once the aborted completion was dequeued). When WSASocketW or AcceptEx run
 * out of sockets or buffers, accept backs off (1 ms doubling to 1 s, woken early by close) with a
 * rate-limited warning instead of spinning. A connection the client reset before it was accepted
 * is skipped.
 *
 * <p>Threads: one accepting caller at a time ({@code FiberServerSocket} serialises them);
 * {@code candidate} is volatile because the record's release may run on a poller thread.
 */
final class IocpServerSocket extends IocpChannel implements ServerSocketHandle {
    /** Bytes of the AcceptEx output buffer: the local and the remote address block. */
    static final int ADDRESSES = 2 * ACCEPTEX_ADDRESS_LENGTH;

    private static final Logger LOG = LoggerFactory.getLogger(IocpServerSocket.class);
    private static final LogThrottle EXHAUSTED = new LogThrottle(TimeUnit.SECONDS.toNanos(10));
    private static final long MIN_BACKOFF = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_BACKOFF = TimeUnit.SECONDS.toNanos(1);

    private final OperationRecord acceptRecord;
    private final OperationRecord[] records;
    private volatile long candidate = INVALID_SOCKET;

    private IocpServerSocket(IocpGroup group, long handle, int family) {
        super(group, handle, family);
        this.acceptRecord = newSmallRecord(readSlot, ADDRESSES);
        this.records = new OperationRecord[] {acceptRecord};
    }

    /**
     * Opens an unbound listening socket on {@code group}'s port.
     *
     * @param group  the group
     * @param family {@code AF_INET} or {@code AF_INET6}
     * @return the socket, owned by the caller
     */
    static IocpServerSocket open(IocpGroup group, int family) throws IOException {
        IocpServerSocket s = new IocpServerSocket(group, group.newSocket(family), family);
        s.register(true);
        return s;
    }

    @Override
    OperationRecord[] records() {
        return records;
    }

    /** The accept record (tests observe its ownership state). */
    OperationRecord acceptRecord() {
        return acceptRecord;
    }

    @Override
    void recordReleased(OperationRecord record) {
        closeCandidate(); // the aborted AcceptEx is done with it
        super.recordReleased(record);
    }

    @Override
    public void bind(InetSocketAddress local, int backlog) throws IOException {
        ensureOpen();
        bindTo(local);
        check("listen", call(h -> win32.listen(h, Math.max(1, backlog)) == 0 ? 0 : win32.lastError()));
    }

    @Override
    public SocketHandle accept(long deadline) throws IOException {
        OperationRecord rec = acceptRecord;
        if (!rec.acquire()) {
            throw SocketErrors.socketClosed();
        }
        try {
            long backoff = MIN_BACKOFF;
            for (;;) {
                ensureOpen();
                OperationRecord.Completion c = collectLeftover(rec, deadline, SocketErrors::acceptTimedOut);
                if (c == null) {
                    if (candidate == INVALID_SOCKET) {
                        long s = win32.wsaSocket(family, SOCK_STREAM, IPPROTO_TCP,
                                WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
                        if (s == INVALID_SOCKET) {
                            int error = win32.lastError();
                            if (!Win32Error.isResourceExhaustion(error)) {
                                throw Win32Error.exception("WSASocketW", error);
                            }
                            backoff = backOff(rec, deadline, backoff, error);
                            continue;
                        }
                        candidate = s;
                    }
                    long acceptSocket = candidate;
                    c = run(rec, 0, (h, r) -> win32.acceptEx(h, acceptSocket, r.data(), 0, ACCEPTEX_ADDRESS_LENGTH,
                            ACCEPTEX_ADDRESS_LENGTH, r.syncBytes(), r.overlapped()) ? 0 : win32.lastError(),
                            deadline, SocketErrors::acceptTimedOut);
                }
                if (c.succeeded()) {
                    long accepted = candidate;
                    candidate = INVALID_SOCKET;
                    return adopt(accepted);
                }
                closeCandidate(); // a failed AcceptEx leaves its socket unusable
                throwIfClosedAbort(c);
                int error = c.error();
                if (Win32Error.isResourceExhaustion(error)) {
                    backoff = backOff(rec, deadline, backoff, error);
                } else if (error != WSA_OPERATION_ABORTED && error != WSAECONNRESET && error != WSAECONNABORTED) {
                    throw Win32Error.exception("AcceptEx", error);
                } // else: the client reset before we accepted, or the abort of a cancelled caller's accept
            }
        } catch (IOException | RuntimeException e) {
            if (!rec.pending() && !rec.hasResult()) {
                closeCandidate(); // e.g. the deadline aborted the AcceptEx: nobody uses the socket any more
            }
            throw e;
        } finally {
            rec.release();
        }
    }

    /** Makes a connected socket of the accepted handle; the handle is closed if that fails. */
    private SocketHandle adopt(long accepted) throws IOException {
        InetSocketAddress remote;
        try {
            CarrierScratch s = CarrierScratch.get();
            // SO_UPDATE_ACCEPT_CONTEXT takes the listening SOCKET as its value.
            s.value.set(JAVA_LONG, 0, socket.handle);
            check("setsockopt(SO_UPDATE_ACCEPT_CONTEXT)", call(h -> win32.setsockopt(accepted, SOL_SOCKET,
                    SO_UPDATE_ACCEPT_CONTEXT, s.value, (int) JAVA_LONG.byteSize()) == 0 ? 0 : win32.lastError()));
            MemorySegment output = acceptRecord.data();
            win32.getAcceptExSockaddrs(output, 0, ACCEPTEX_ADDRESS_LENGTH, ACCEPTEX_ADDRESS_LENGTH,
                    s.pointers, s.ints, s.pointers.asSlice(ADDRESS.byteSize()), s.ints.asSlice(4));
            remote = SockAddrs.decode(inside(output, s.pointers.get(ADDRESS, ADDRESS.byteSize()), s.ints.get(JAVA_INT, 4)));
        } catch (IOException | RuntimeException e) {
            closeSocket(win32, accepted);
            throw e;
        }
        return IocpSocket.accepted(group, accepted, family, remote); // owns the handle now, closes it on failure
    }

    /**
     * The part of {@code buffer} a pointer returned by GetAcceptExSockaddrs designates (it points
     * into the buffer): a bounds-checked slice instead of a raw pointer dereference.
     */
    private static MemorySegment inside(MemorySegment buffer, MemorySegment pointer, int length) {
        long offset = pointer.address() - buffer.address();
        if (offset < 0 || length < 0 || offset + length > buffer.byteSize()) {
            throw new IllegalStateException("GetAcceptExSockaddrs returned an address outside the AcceptEx buffer");
        }
        return buffer.asSlice(offset, length);
    }

    /** Waits {@code backoff} (less if the deadline is nearer; close ends it early); returns the next backoff. */
    private long backOff(OperationRecord rec, long deadline, long backoff, int error) throws IOException {
        long silenced = EXHAUSTED.admit();
        if (silenced >= 0) {
            LOG.warn("accept on {} failed with {}: out of sockets or buffers; retrying in {} ms ({} more since the last warning)",
                    this, Win32Error.name(error), TimeUnit.NANOSECONDS.toMillis(backoff), silenced);
        }
        if (Deadlines.hasPassed(deadline)) {
            throw SocketErrors.acceptTimedOut();
        }
        long retryAt = System.nanoTime() + backoff;
        if (deadline != Deadlines.NO_DEADLINE && deadline - retryAt < 0) {
            retryAt = deadline;
        }
        Deadlines.awaitOnce(rec.slot(), retryAt);
        return Math.min(backoff * 2, MAX_BACKOFF);
    }

    private void closeCandidate() {
        long s = candidate;
        if (s != INVALID_SOCKET) {
            candidate = INVALID_SOCKET;
            closeSocket(win32, s);
        }
    }

    @Override
    public String toString() {
        return "IocpServerSocket[" + socket.handle + (isOpen() ? "" : ", closed") + "]";
    }
}
