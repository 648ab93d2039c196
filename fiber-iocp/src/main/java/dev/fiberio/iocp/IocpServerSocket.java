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
import static dev.fiberio.iocp.win32.Win32Constants.somaxconnHint;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.fiberio.iocp.win32.SockAddrs;
import dev.fiberio.iocp.win32.Win32Error;
import dev.fiberio.nativeio.RateLimitedLog;
import dev.fiberio.nativeio.completion.OperationRecord;
import dev.fiberio.net.spi.Deadlines;
import dev.fiberio.net.spi.ServerSocketHandle;
import dev.fiberio.net.spi.SocketErrors;
import dev.fiberio.net.spi.SocketHandle;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listening TCP socket on an I/O completion port that keeps several AcceptEx operations posted.
 *
 * <h2>Implementation overview</h2>
 * <ul>
 *   <li><b>Posted accepts.</b> {@link #bind} listens and posts {@code postedAccepts} AcceptEx
 *       operations ({@link IocpConfig}, default 16), each with its own small record (two address blocks
 *       of {@link Win32Constants#ACCEPTEX_ADDRESS_LENGTH} bytes, no receive data) and its own accepting
 *       socket, created beforehand as AcceptEx requires (overlapped, non-inheritable, of the listener's
 *       family, unbound). A burst of connections thus finds sockets ready instead of a backlog that
 *       Windows answers with RST once full. The operations belong to the listener, not to a caller:
 *       their completions are dispatched whether or not anyone waits, and each signals the listener's
 *       {@code readSlot}.</li>
 *   <li><b>accept</b> takes a completed operation (its record holds DONE, or the call completed
 *       synchronously), reads the peer's address from its buffer (GetAcceptExSockaddrs, after
 *       SO_UPDATE_ACCEPT_CONTEXT so that getsockname, getpeername and shutdown work on the new
 *       socket), posts that record again and returns the connection. With none completed it posts
 *       the records that are idle and waits on the slot. A timeout or a cancelled caller leaves the
 *       operations posted: nothing to cancel.</li>
 *   <li><b>Connections that died before accept</b>: an AcceptEx that completed with a reset, or a
 *       connection whose SO_UPDATE_ACCEPT_CONTEXT fails (the client reset it in between), is closed
 *       and skipped, never thrown to the caller; the listener is still healthy.</li>
 *   <li><b>Out of sockets or buffers</b> (WSASocketW or AcceptEx fail with WSAEMFILE, WSAENOBUFS...):
 *       with no operation posted, accept backs off (1 ms doubling to 1 s, woken early by close) with a
 *       rate-limited warning instead of spinning.</li>
 *   <li><b>Backlog</b>: up to 200 goes to listen as it is; more as {@code SOMAXCONN_HINT(n)} (n at most
 *       65535), since a plain backlog is capped at 200 (listen page).</li>
 *   <li><b>Close</b> aborts every posted AcceptEx; each record is released when its aborted completion
 *       was dequeued, and its accepting socket closed then (by the group, never on a poller thread).</li>
 * </ul>
 *
 * <p>Threads: one accepting caller at a time ({@code FiberServerSocket} serialises them), and
 * {@link #bind} before it; a record's USER bit, taken with a CAS, orders their plain accesses to an
 * {@link Accept}'s result fields. {@code candidate} is volatile because a record's release may run on
 * a poller thread.
 */
final class IocpServerSocket extends IocpChannel implements ServerSocketHandle {
    /** Bytes of the AcceptEx output buffer: the local and the remote address block. */
    static final int ADDRESSES = 2 * ACCEPTEX_ADDRESS_LENGTH;
    /** The largest backlog passed to listen as it is; larger ones go as SOMAXCONN_HINT. */
    static final int PLAIN_BACKLOG_CAP = 200;

    private static final Logger LOG = LoggerFactory.getLogger(IocpServerSocket.class);
    private static final RateLimitedLog EXHAUSTED = new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(10));
    private static final long MIN_BACKOFF = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_BACKOFF = TimeUnit.SECONDS.toNanos(1);

    /** One posted AcceptEx: its record, its accepting socket, and a result that queued no packet. */
    private static final class Accept {
        final OverlappedRecord record;
        volatile long candidate = INVALID_SOCKET;
        /** Set (by the holder of the record's USER bit) when AcceptEx completed synchronously. */
        OperationRecord.Completion synchronous;

        Accept(OverlappedRecord record) {
            this.record = record;
        }

        boolean completed() {
            return synchronous != null || record.hasResult();
        }
    }

    private final Accept[] accepts;
    private final OverlappedRecord[] records;
    private volatile boolean listening;
    private int nextAccept;

    private IocpServerSocket(IocpGroup group, long handle, int family) {
        super(group, handle, family);
        int n = group.config.postedAccepts();
        this.accepts = new Accept[n];
        this.records = new OverlappedRecord[n];
        for (int i = 0; i < n; i++) {
            records[i] = newSmallRecord(readSlot, ADDRESSES);
            accepts[i] = new Accept(records[i]);
        }
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
    OverlappedRecord[] records() {
        return records;
    }

    /** The records of the posted accepts (tests observe their ownership state). */
    OverlappedRecord[] acceptRecords() {
        return records.clone();
    }

    @Override
    void recordReleased(OverlappedRecord record) {
        for (Accept a : accepts) {
            if (a.record == record) {
                closeCandidate(a); // the aborted AcceptEx is done with it, or its connection was never taken
            }
        }
        super.recordReleased(record);
    }

    /**
     * The value listen gets for {@code backlog}: as it is up to {@value #PLAIN_BACKLOG_CAP} (at least 1),
     * above that {@code SOMAXCONN_HINT(min(backlog, 65535))}.
     */
    static int listenBacklog(int backlog) {
        int n = Math.max(1, backlog);
        return n <= PLAIN_BACKLOG_CAP ? n : somaxconnHint(Math.min(n, 65535));
    }

    @Override
    public void bind(SocketAddress localAddress, int backlog) throws IOException {
        InetSocketAddress local = (InetSocketAddress) localAddress; // the provider opens Internet sockets only
        ensureOpen();
        bindTo(local);
        int value = listenBacklog(backlog);
        check("listen", call(h -> win32.listen(h, value) == 0 ? 0 : win32.lastError()));
        listening = true;
        postIdle(); // errors (out of sockets) are retried by accept
    }

    @Override
    public SocketHandle accept(long deadline) throws IOException {
        if (!listening) {
            ensureOpen();
            throw new SocketException("Socket is not bound yet");
        }
        long backoff = MIN_BACKOFF;
        for (;;) {
            ensureOpen();
            SocketHandle accepted = takeCompleted();
            if (accepted != null) {
                return accepted;
            }
            int exhausted = postIdle();
            if (anyCompleted()) {
                continue;
            }
            if (Deadlines.hasPassed(deadline)) {
                throw SocketErrors.acceptTimedOut();
            }
            if (exhausted != 0 && nonePosted()) {
                backoff = backOff(deadline, backoff, exhausted);
            } else {
                Deadlines.awaitOnce(readSlot, deadline);
            }
        }
    }

    private boolean anyCompleted() {
        for (Accept a : accepts) {
            if (a.completed()) {
                return true;
            }
        }
        return false;
    }

    private boolean nonePosted() {
        for (Accept a : accepts) {
            if (a.record.pending()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Takes the next completed accept, round robin: returns its connection, or null if none completed
     * or every completed one was a connection that died before it was accepted.
     */
    private SocketHandle takeCompleted() throws IOException {
        for (int i = 0; i < accepts.length; i++) {
            Accept a = accepts[nextAccept];
            nextAccept = (nextAccept + 1) % accepts.length;
            if (!a.completed()) {
                continue;
            }
            SocketHandle s = take(a);
            if (s != null) {
                return s;
            }
        }
        return null;
    }

    /** Consumes {@code a}'s result, posts it again, and returns its connection (null: skipped). */
    private SocketHandle take(Accept a) throws IOException {
        OverlappedRecord rec = a.record;
        if (!rec.acquire()) {
            throw SocketErrors.socketClosed();
        }
        long accepted;
        InetSocketAddress remote;
        try {
            OperationRecord.Completion c = a.synchronous != null ? a.synchronous : rec.consume();
            a.synchronous = null;
            accepted = a.candidate;
            a.candidate = INVALID_SOCKET;
            if (!c.succeeded()) {
                if (accepted != INVALID_SOCKET) {
                    group.closeSocket(accepted); // a failed AcceptEx leaves its socket unusable
                }
                throwIfClosed(c);
                int error = c.error();
                if (!Win32Error.isResourceExhaustion(error) && error != WSA_OPERATION_ABORTED
                        && error != WSAECONNRESET && error != WSAECONNABORTED) {
                    throw Win32Error.exception("AcceptEx", error);
                } // else: the client reset before we accepted (skipped), or out of resources (posted again below)
                post(a);
                return null;
            }
            remote = connectionOf(accepted, rec.data()); // before the buffer is posted again
            try {
                post(a);
            } catch (IOException | RuntimeException e) {
                if (remote != null) {
                    group.closeSocket(accepted); // e.g. the listener was closed meanwhile
                }
                throw e;
            }
        } finally {
            rec.release();
        }
        if (remote == null) {
            return null;
        }
        return IocpSocket.accepted(group, accepted, family, remote); // owns the handle now, closes it on failure
    }

    /**
     * Posts every idle accept (neither pending nor completed).
     *
     * @return 0, or the resource-exhaustion error that kept one from being posted
     * @throws IOException an error that is not a passing condition
     */
    private int postIdle() throws IOException {
        int exhausted = 0;
        for (Accept a : accepts) {
            OverlappedRecord rec = a.record;
            if (rec.pending() || a.completed()) {
                continue;
            }
            if (!rec.acquire()) {
                throw SocketErrors.socketClosed();
            }
            try {
                int error = post(a);
                if (error != 0) {
                    exhausted = error;
                }
            } finally {
                rec.release();
            }
        }
        return exhausted;
    }

    /**
     * Starts AcceptEx on {@code a} (whose record the caller holds, idle), creating its accepting socket
     * first if needed.
     *
     * @return 0 if posted (or completed synchronously), else the resource-exhaustion error that kept it
     *         from being posted; a client reset reported by the call itself is retried at once
     * @throws IOException any other error
     */
    private int post(Accept a) throws IOException {
        for (int attempt = 0; ; attempt++) {
            if (a.candidate == INVALID_SOCKET) {
                long s = win32.wsaSocket(family, SOCK_STREAM, IPPROTO_TCP, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
                if (s == INVALID_SOCKET) {
                    int error = win32.lastError();
                    if (Win32Error.isResourceExhaustion(error)) {
                        return error;
                    }
                    throw Win32Error.exception("WSASocketW", error);
                }
                a.candidate = s;
            }
            long acceptSocket = a.candidate;
            OperationRecord.Completion c = start(a.record, 0, (h, r) -> win32.acceptEx(h, acceptSocket, r.data(), 0,
                    ACCEPTEX_ADDRESS_LENGTH, ACCEPTEX_ADDRESS_LENGTH, r.syncBytes(), r.overlapped())
                    ? 0 : win32.lastError());
            if (c == null) {
                return 0;
            }
            if (c.succeeded()) {
                a.synchronous = c;
                return 0;
            }
            closeCandidate(a); // a failed AcceptEx leaves its socket unusable
            int error = c.error();
            if (Win32Error.isResourceExhaustion(error)) {
                return error;
            }
            if ((error == WSAECONNRESET || error == WSAECONNABORTED) && attempt < 16) {
                continue; // "the remote peer terminated the connection prior to accepting the call"
            }
            throw Win32Error.exception("AcceptEx", error);
        }
    }

    /**
     * Completes an accepted connection: SO_UPDATE_ACCEPT_CONTEXT, then the peer's address from the
     * AcceptEx buffer. Returns null, having closed the handle, if the connection died in between (the
     * update fails, typically after a client reset): that connection is skipped, as the listener is fine.
     */
    private InetSocketAddress connectionOf(long accepted, MemorySegment output) throws IOException {
        CarrierScratch s = CarrierScratch.get();
        // SO_UPDATE_ACCEPT_CONTEXT takes the listening SOCKET as its value.
        s.value.set(JAVA_LONG, 0, handle);
        int code = call(h -> win32.setsockopt(accepted, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, s.value,
                (int) JAVA_LONG.byteSize()) == 0 ? 0 : win32.lastError());
        if (code != 0) {
            LOG.debug("{}: SO_UPDATE_ACCEPT_CONTEXT failed ({}): connection skipped", this, Win32Error.name(code));
            group.closeSocket(accepted);
            return null;
        }
        try {
            win32.getAcceptExSockaddrs(output, 0, ACCEPTEX_ADDRESS_LENGTH, ACCEPTEX_ADDRESS_LENGTH,
                    s.pointers, s.ints, s.pointers.asSlice(ADDRESS.byteSize()), s.ints.asSlice(4));
            return SockAddrs.decode(inside(output, s.pointers.get(ADDRESS, ADDRESS.byteSize()), s.ints.get(JAVA_INT, 4)));
        } catch (RuntimeException e) {
            group.closeSocket(accepted);
            throw e;
        }
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
    private long backOff(long deadline, long backoff, int error) throws IOException {
        EXHAUSTED.warn("accept on {} failed with {}: out of sockets or buffers; retrying in {} ms",
                this, Win32Error.name(error), TimeUnit.NANOSECONDS.toMillis(backoff));
        long retryAt = System.nanoTime() + backoff;
        if (deadline != Deadlines.NO_DEADLINE && deadline - retryAt < 0) {
            retryAt = deadline;
        }
        Deadlines.awaitOnce(readSlot, retryAt);
        return Math.min(backoff * 2, MAX_BACKOFF);
    }

    private void closeCandidate(Accept a) {
        long s = a.candidate;
        if (s != INVALID_SOCKET) {
            a.candidate = INVALID_SOCKET;
            group.closeSocket(s);
        }
    }

    @Override
    public String toString() {
        return "IocpServerSocket[" + handle + (isOpen() ? "" : ", closed") + "]";
    }
}
