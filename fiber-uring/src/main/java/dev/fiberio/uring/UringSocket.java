package dev.fiberio.uring;

import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_UNIX;
import static dev.fiberio.nativeio.ffi.LinuxConstants.MSG_DONTWAIT;
import static dev.fiberio.nativeio.ffi.LinuxConstants.MSG_PEEK;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SHUT_RD;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SHUT_WR;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_CLOEXEC;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_NONBLOCK;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_STREAM;
import static dev.fiberio.uring.ffi.UringConstants.ECANCELED;
import static dev.fiberio.uring.ffi.UringConstants.IORING_CQE_BUFFER_SHIFT;
import static dev.fiberio.uring.ffi.UringConstants.IORING_CQE_F_BUFFER;
import static dev.fiberio.uring.ffi.UringConstants.IORING_OP_CONNECT;
import static dev.fiberio.uring.ffi.UringConstants.IORING_OP_POLL_ADD;
import static dev.fiberio.uring.ffi.UringConstants.IORING_OP_RECV;
import static dev.fiberio.uring.ffi.UringConstants.IORING_OP_SEND;
import static dev.fiberio.uring.ffi.UringConstants.IORING_OP_WRITEV;
import static dev.fiberio.uring.ffi.UringConstants.IOSQE_BUFFER_SELECT;
import static dev.fiberio.uring.ffi.UringConstants.POLLIN;

import dev.fiberio.nativeio.completion.CompletionWait;
import dev.fiberio.nativeio.completion.OperationRecord;
import dev.fiberio.nativeio.ffi.Errno;
import dev.fiberio.nativeio.ffi.IoVec;
import dev.fiberio.nativeio.ffi.LibC;
import dev.fiberio.core.FiberCancelledException;
import dev.fiberio.net.spi.Deadlines;
import dev.fiberio.net.spi.SocketErrors;
import dev.fiberio.net.spi.SocketHandle;
import dev.fiberio.uring.ffi.CallerMemory;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * A stream connection (TCP, or AF_UNIX) on io_uring. The kernel writes asynchronously, so the caller's
 * memory (often a heap array, which the GC may move) is never handed to it: a read receives into a
 * provided buffer of the ring's {@link BufferRing} (or, when the ring is empty or there is none, into a
 * buffer leased from the ring's {@link BufferPool}, {@code fiberio.uring.bufferSize}, default 16 KiB) and
 * copies out — bytes that did not fit stay there for the next read — and a write copies into a buffer
 * leased for its send and sends it behind, returning without waiting for the completion (a write is at
 * most one buffer; FiberSocket loops; see {@link SendRecord}). The copies of native
 * caller memory go through the kernel ({@link CallerMemory}), so memory that is not mapped gives EFAULT as
 * on the epoll backend instead of a crash. One reader and one writer at a time (FiberSocket serialises).
 *
 * <h2>Leased buffers</h2>
 * A socket holds no native memory of its own: its two records have none. A write-behind send's buffer
 * belongs to the send from its submission and goes back at its final completion ({@link SendRecord}). The
 * writer leases a buffer (the write lease) when a vectored write or connect starts, and gives it back when
 * the operation's completion was reaped and consumed; the reader leases one for a receive the buffer ring
 * cannot serve and gives it back once that receive completed and its bytes were read. Each lease is given
 * back exactly once, by one of:
 * <ul>
 *   <li>the caller holding the record (USER), when it leaves and the kernel no longer holds the record
 *       (no KERNEL bit: nothing in flight can name the buffer), and, for the reader, no received bytes
 *       wait in it;</li>
 *   <li>otherwise the record's release action, which runs once the socket is closed and neither a caller
 *       nor the kernel holds the record: a caller that left with an operation still in flight (the socket
 *       was closed) leaves the buffer to the reaper of that operation's completion.</li>
 * </ul>
 * An operation left in flight on an open socket (a cancelled caller's leftover) keeps its buffer; the
 * next caller collects the completion and goes on with the same buffer.
 */
final class UringSocket extends UringChannel implements SocketHandle {
    static final int BUFFER_SIZE = Integer.getInteger("fiberio.uring.bufferSize", 16 * 1024);
    /** Read record operations: a receive into a provided buffer (buffer select). */
    private static final byte SELECT = 0;
    /** A receive into the read lease. */
    private static final byte PLAIN = 1;
    /** A poll for readability, into no buffer. */
    private static final byte POLL = 2;
    /** iovecs per IORING_OP_WRITEV (the rest of the buffers go in the caller's next write). */
    static final int MAX_IOVECS = 64;
    /** How long a closed or timed-out vectored write waits for the kernel to let go of the caller's buffers. */
    private static final long KERNEL_DONE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(2);
    /** IORING_OP_WRITEV requests submitted (tests and diagnostics). */
    static final java.util.concurrent.atomic.LongAdder VECTORED_WRITES = new java.util.concurrent.atomic.LongAdder();

    /** Receives into a provided buffer, or into the read lease. */
    private final OperationRecord readRecord;
    /** Write-behind sends (each from a buffer leased for it), and vectored writes and connects (from the write lease). */
    private final SendRecord writeRecord;
    /** The ring's provided buffers, or null: every receive then goes to a leased buffer. */
    private final BufferRing provided;
    /**
     * The buffer leased for a receive the buffer ring could not serve (or without one), held while that
     * receive is in flight or unconsumed and while its bytes are not all read; else null. The reader's
     * (under the read record's USER), then the read record's release action's.
     */
    private MemorySegment readLease;
    /** The buffer of the write or connect in flight (or left in flight by a cancelled writer), or null; as readLease, for the writer. */
    private MemorySegment writeLease;
    /** What the last operation started on the read record was: {@link #SELECT}, {@link #PLAIN} or {@link #POLL}; the reader's. */
    private byte lastReadOp;
    /** A poll found the socket readable, and nothing was received since: a wait for readability is over. The reader's. */
    private boolean readable;
    /** Received bytes not yet read: [bufferedStart, bufferedEnd) of the read lease; the reader's only. */
    private int bufferedStart;
    private int bufferedEnd;
    /** A provided buffer with bytes not yet read, [heldStart, heldEnd) of it, or -1; the reader's only. */
    private int heldBid = -1;
    private int heldStart;
    private int heldEnd;
    /** A receive returned the end of the stream: reads return -1 from now on. The reader's only. */
    private boolean endOfStream;
    /** A receive awaitReadable took failed (a reset): the next read throws it. The reader's only. */
    private IOException heldError;
    /** Consecutive receives that ended with ECANCELED, EINTR or EAGAIN; the reader's only. */
    private int readAttempts;
    /**
     * The last receive into a provided buffer found the ring empty (ENOBUFS): the next read receives into a
     * leased buffer, the next wait for readability polls. The reader's only.
     */
    private boolean ringWasEmpty;
    private volatile SocketAddress remote;
    /** shutdownOutput began: a write from now on waits for its send's result (see {@link #shutdownOutput}). */
    private volatile boolean shuttingDown;

    private UringSocket(int fd, int family, Ring ring, SocketAddress remote) throws IOException {
        super(fd, family, ring);
        this.remote = remote;
        provided = ring.bufferRing();
        readRecord = newRecord();
        writeRecord = register(new SendRecord(this.fd, ring));
    }

    /**
     * A write-behind send in flight outlives close, bounded by the ring's close linger (its bytes were
     * reported written; SO_LINGER 0 or the ring's own close drops them); anything else is cancelled.
     */
    @Override
    void endInFlight(OperationRecord r) {
        if (r == writeRecord && writeRecord.isBehind() && !abortive()) {
            writeRecord.lingerAfterClose();
        } else {
            ring.cancel(r);
        }
    }

    /**
     * As {@code close(2)} of a socket with unread input, which resets the connection and drops what was not
     * sent: with bytes in the receive queue the close is abortive, and a write-behind send in flight is
     * cancelled rather than let finish (a server that gave up on a client that sends and never reads must
     * be rid of it now, not after the linger).
     */
    @Override
    public void close() {
        if (isOpen() && writeRecord.pending() && writeRecord.isBehind() && !abortive() && unreadInput()) {
            abortOnClose(true);
        }
        super.close();
        writeRecord.wakeSentWaiter(); // a shutdown waiting for the send stops waiting
    }

    /** Whether the kernel holds received bytes nobody read (one non-blocking peek); false if closed meanwhile. */
    private boolean unreadInput() {
        try {
            MemorySegment scratch = ADDRESS_SCRATCH.get();
            return withFd(() -> (int) LibC.recv(fd.fd, scratch, 1, MSG_PEEK | MSG_DONTWAIT)) > 0;
        } catch (IOException closed) {
            return false;
        }
    }

    /** SO_LINGER 0 asks for an abortive close: then close cancels a write-behind send too. */
    @Override
    public <T> void setOption(java.net.SocketOption<T> option, T value) throws IOException {
        super.setOption(option, value);
        if (option == java.net.StandardSocketOptions.SO_LINGER) {
            abortOnClose(value != null && (Integer) value == 0);
        }
    }

    /**
     * The write record gives back its lease; the read record what the socket still holds: the provided
     * buffers (a result nobody consumed, bytes not yet read) to the buffer ring and the read lease to the
     * pool.
     */
    @Override
    void released(OperationRecord r) {
        if (r == writeRecord) {
            giveBackWriteLease();
            return;
        }
        if (r.hasResult()) {
            OperationRecord.Completion c = r.consume();
            if ((c.flags() & IORING_CQE_F_BUFFER) != 0) {
                provided.recycle(c.flags() >>> IORING_CQE_BUFFER_SHIFT);
            }
        }
        if (heldBid >= 0) {
            provided.recycle(heldBid);
            heldBid = -1;
        }
        giveBackReadLease();
    }

    /** The read lease, leased now if the socket holds none; by the reader. */
    private MemorySegment readLease() throws IOException {
        return readLease != null ? readLease : (readLease = ring.buffers().lease());
    }

    /** The write lease, leased now if the socket holds none; by the writer. */
    private MemorySegment writeLease() throws IOException {
        return writeLease != null ? writeLease : (writeLease = ring.buffers().lease());
    }

    private void giveBackReadLease() {
        if (readLease != null) {
            ring.buffers().giveBack(readLease);
            readLease = null;
            bufferedStart = 0;
            bufferedEnd = 0;
        }
    }

    private void giveBackWriteLease() {
        if (writeLease != null) {
            ring.buffers().giveBack(writeLease);
            writeLease = null;
        }
    }

    /**
     * The reader leaves: the read lease goes back unless a plain receive that names it is in flight or
     * unconsumed, or received bytes wait in it; then USER is cleared (which, on a closed socket, may run
     * the release action that gives back what is left).
     */
    private void endRead() {
        if (readLease != null && bufferedStart >= bufferedEnd && !(lastReadOp == PLAIN && receiveInFlight())) {
            giveBackReadLease();
        }
        readRecord.release();
    }

    /**
     * The writer leaves: the write lease goes back unless the kernel still holds the record (a close ended
     * the wait before the completion); then USER is cleared.
     */
    private void endWrite() {
        if (!writeRecord.pending()) {
            giveBackWriteLease();
        }
        writeRecord.release();
    }

    /** Opens an unconnected non-blocking, close-on-exec stream socket on the caller's ring. */
    static UringSocket open(int family) throws IOException {
        return open(family, UringGroup.current().next());
    }

    /** Opens a socket on a given ring (tests drive that ring themselves). */
    static UringSocket open(int family, Ring ring) throws IOException {
        int fd = LibC.socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw Errno.toException("socket", -fd);
        }
        return new UringSocket(fd, family, ring, null);
    }

    /** Wraps an accepted descriptor (owned from the start: closed here if wrapping fails). */
    static UringSocket accepted(int fd, int family, SocketAddress remote, Ring ring) throws IOException {
        return new UringSocket(fd, family, ring, remote);
    }

    @Override
    OperationRecord[] records() {
        return new OperationRecord[] {readRecord, writeRecord}; // made when asked (at close), not kept per socket
    }

    /** Whether the reader holds a provided buffer with bytes not yet read (tests; the reader's view). */
    boolean holdsProvidedBuffer() {
        return heldBid >= 0;
    }

    /** Whether the socket holds a leased buffer for reading (tests; no reader may be inside). */
    boolean holdsReadLease() {
        return readLease != null;
    }

    /** The address of the socket's leased buffer for writing, or 0 (tests; no writer may be inside). */
    long writeLeaseAddress() {
        MemorySegment m = writeLease;
        return m == null ? 0 : m.address();
    }

    /** The address of the buffer of the write-behind send in flight, or 0 (tests; no writer may be inside). */
    long sendLeaseAddress() {
        return writeRecord.leaseAddress();
    }

    /** Received bytes waiting in the read lease (tests; no reader may be inside). */
    int bufferedBytes() {
        return bufferedEnd - bufferedStart;
    }

    /** The ring's provided buffers this socket receives into, or null (tests). */
    BufferRing providedBuffers() {
        return provided;
    }

    @Override
    public void bind(SocketAddress local) throws IOException {
        MemorySegment sa = ADDRESS_SCRATCH.get();
        int len = encode(local, sa);
        check("bind", withFd(() -> LibC.bind(fd.fd, sa, len)));
    }

    @Override
    public void connect(SocketAddress address, long deadline) throws IOException {
        acquire(writeRecord);
        try {
            leftover(writeRecord, deadline, SocketErrors::connectTimedOut); // a cancelled connect: done with
            writeRecord.waited();
            MemorySegment sa = writeLease();
            int len = encode(address, sa);
            int attempts = 0; // consecutive connects that ended with an unrequested ECANCELED, EINTR or EAGAIN
            for (;;) {
                OperationRecord.Completion c;
                try {
                    c = run(writeRecord, IORING_OP_CONNECT, sa.address(), 0, len, 0, deadline, SocketErrors::connectTimedOut);
                } catch (IOException e) {
                    throw isOpen() ? e : closedBy(e);
                }
                if (c.succeeded() || c.error() == Errno.EISCONN) {
                    break;
                }
                if (!isOpen()) { // whatever the cancelled connect reports, java.net says "Socket closed"
                    throw closedException();
                }
                // The kernel keeps the connection attempt going; a new request resumes waiting for it.
                if (!retryable(c.error(), ++attempts)) {
                    throw connectError(c.error());
                }
            }
        } finally {
            endWrite();
        }
        remote = address;
    }

    /** "Socket closed", with what a failing operation reported after the close as its cause. */
    private SocketException closedBy(IOException e) {
        SocketException closed = closedException();
        if (closed != e) {
            closed.initCause(e);
        }
        return closed;
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

    /**
     * Reads what this socket holds, or receives. With a buffer ring the receive names no buffer
     * (IOSQE_BUFFER_SELECT): the kernel picks one from the ring when data arrives, the bytes are copied
     * out, and what did not fit stays in that buffer for the next reads, which copy without a system call;
     * the buffer goes back to the ring when it was read to its end. If the ring was empty (ENOBUFS), the
     * next receive goes into a leased buffer, so no byte waits for a buffer.
     */
    @Override
    public int read(MemorySegment dst, long deadline) throws IOException {
        long len = Math.min(dst.byteSize(), Integer.MAX_VALUE);
        if (len == 0) {
            return 0;
        }
        return read(null, 0, dst, (int) len, deadline);
    }

    /** Into the array itself: no heap segment wrapped around it per call (the SPI's default would). */
    @Override
    public int read(byte[] b, int off, int len, long deadline) throws IOException {
        return len == 0 ? 0 : read(b, off, null, len, deadline);
    }

    /** Into the segment at {@code offset}: no slice per call (the SPI's default would make one). */
    @Override
    public int read(MemorySegment dst, long offset, long length, long deadline) throws IOException {
        int len = checkedLength(dst, offset, length);
        return len == 0 ? 0 : read(null, offset, dst, len, deadline);
    }

    /** Reads into {@code array} from {@code off}, else into {@code dst} from {@code off}; {@code len} at least 1. */
    private int read(byte[] array, long off, MemorySegment dst, int len, long deadline) throws IOException {
        acquire(readRecord);
        try {
            for (;;) {
                int n = copyHeld(array, off, dst, len);
                if (n > 0) {
                    return n;
                }
                if (endOfStream) {
                    return -1;
                }
                throwHeldError();
                receive(Math.min(BUFFER_SIZE, len), deadline, false);
            }
        } finally {
            endRead();
        }
    }

    /**
     * Waits until the socket holds bytes or saw the end of the stream, without a buffer of its own
     * while it waits: the receive it leaves armed names no buffer (buffer select), so the kernel picks
     * one only when data arrives. If the buffer ring was found empty, it polls for readability instead
     * (IORING_OP_POLL_ADD, no buffer either), and the next read receives. Without a buffer ring, the wait
     * receives into a leased buffer.
     */
    @Override
    public void awaitReadable(long deadline) throws IOException {
        acquire(readRecord);
        try {
            while (!holdsInput()) {
                try {
                    receive(BUFFER_SIZE, deadline, true);
                } catch (SocketTimeoutException | SocketException closedOrTimedOut) {
                    if (!isOpen() || closedOrTimedOut instanceof SocketTimeoutException) {
                        throw closedOrTimedOut;
                    }
                    heldError = closedOrTimedOut; // a reset: the next read reports it
                } catch (IOException failed) {
                    if (!isOpen()) {
                        throw closedException();
                    }
                    heldError = failed;
                }
            }
        } finally {
            endRead();
        }
    }

    /**
     * What arrived, without waiting: the bytes the socket holds, or those of an armed receive that has
     * completed. With nothing held and no receive in flight it arms one (submitted with the worker's next
     * batch, no system call now) and returns 0, so the caller's {@code awaitReadable} or next read finds it
     * armed. Bytes that reached the kernel just before that are therefore returned by the next call, not
     * this one.
     */
    @Override
    public int tryRead(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        acquire(readRecord);
        try {
            for (;;) {
                int n = copyHeld(b, off, null, len);
                if (n > 0) {
                    readAhead();
                    return n;
                }
                if (endOfStream) {
                    return -1;
                }
                throwHeldError();
                if (!receiveInFlight()) {
                    return receiveNow(MemorySegment.ofArray(b).asSlice(off, len), len);
                }
                if (readRecord.pending()) {
                    return 0; // the ring has reported nothing yet
                }
                receive(len, Deadlines.NO_DEADLINE, false); // takes the completed receive's result at once
            }
        } finally {
            endRead();
        }
    }

    /** With no receive in flight: one non-blocking recv(2) straight into the caller's array. */
    private int receiveNow(MemorySegment dst, int len) throws IOException {
        readable = false;
        int r = withFd(() -> (int) LibC.recv(fd.fd, dst, len, MSG_DONTWAIT));
        if (r > 0) {
            readAhead();
            return r;
        }
        if (r == 0) {
            endOfStream = true;
            return -1;
        }
        if (r == -Errno.EAGAIN || r == -Errno.EINTR) {
            return 0;
        }
        throw ioError("recv", -r);
    }

    /**
     * After a tryRead that took bytes and left the socket holding none: arms the next receive now, so
     * the caller's next tryRead finds it in flight (no system call) and its awaitReadable waits on it.
     * Only with a buffer ring, into which it receives (tried again even if the ring was found empty
     * lately), so it holds no buffer until data arrives.
     */
    private void readAhead() throws IOException {
        if (!holdsInput() && !receiveInFlight() && provided != null) {
            arm();
        }
    }

    private void throwHeldError() throws IOException {
        IOException e = heldError;
        if (e != null) {
            heldError = null;
            throw e;
        }
    }

    /**
     * Whether a read would return at once from what the socket holds (bytes, the end of the stream, an
     * error), or a poll found it readable.
     */
    private boolean holdsInput() {
        return endOfStream || heldError != null || heldBid >= 0 || bufferedStart < bufferedEnd || readable;
    }

    /** Whether a receive is in flight, or completed and not yet taken. */
    private boolean receiveInFlight() {
        return readRecord.pending() || readRecord.hasResult();
    }

    /** Starts a receive into a provided buffer (the socket has a buffer ring) and leaves it in flight. */
    private void arm() throws IOException {
        lastReadOp = SELECT;
        ringWasEmpty = false;
        start(readRecord, IORING_OP_RECV, IOSQE_BUFFER_SELECT, BufferRing.GROUP, 0, 0, 0, 0, 0);
    }

    /**
     * One receive's result into what the socket holds: the result of an operation already in flight
     * (armed, or left by a cancelled reader), else of a new one, waited for until {@code deadline}: a
     * receive into a provided buffer; or, without a buffer ring or if it was found empty, a receive into
     * the read lease, or a poll if {@code readability} will do (a wait for readability holds no buffer).
     */
    private void receive(int want, long deadline, boolean readability) throws IOException {
        OperationRecord.Completion c = leftover(readRecord, deadline, SocketErrors::readTimedOut);
        if (c == null) {
            readable = false;
            byte op = provided == null ? PLAIN : !ringWasEmpty ? SELECT : readability ? POLL : PLAIN;
            ringWasEmpty = false;
            lastReadOp = op;
            c = switch (op) {
                case SELECT -> run(readRecord, IORING_OP_RECV, IOSQE_BUFFER_SELECT, BufferRing.GROUP, 0, 0, 0, 0,
                        deadline, SocketErrors::readTimedOut);
                case POLL -> run(readRecord, IORING_OP_POLL_ADD, 0, 0, 0, POLLIN, deadline,
                        SocketErrors::readTimedOut);
                default -> run(readRecord, IORING_OP_RECV, readLease().address(), want, 0, 0, deadline,
                        SocketErrors::readTimedOut);
            };
        }
        if (received(c)) {
            endOfStream = true;
        }
    }

    /**
     * Copies bytes the socket holds into {@code array} from {@code off} (a Java array cannot fault), else
     * into {@code dst} (through the kernel if native); 0 if it holds none.
     */
    private int copyHeld(byte[] array, long off, MemorySegment dst, int len) throws IOException {
        if (heldBid >= 0) {
            if (!provided.guard.acquire()) {
                throw closedException(); // the ring closed, and with it every socket of it
            }
            try {
                int n = copyOut(provided.buffer(heldBid), heldStart, array, off, dst, Math.min(len, heldEnd - heldStart));
                heldStart += n;
                if (heldStart == heldEnd) {
                    int bid = heldBid;
                    heldBid = -1;
                    provided.recycle(bid);
                }
                return n;
            } finally {
                provided.guard.release();
            }
        }
        if (bufferedStart < bufferedEnd) {
            int n = copyOut(readLease, bufferedStart, array, off, dst, Math.min(len, bufferedEnd - bufferedStart));
            bufferedStart += n;
            return n;
        }
        return 0;
    }

    /** Copies {@code n} bytes of {@code own} from {@code start} out to the array or segment at {@code off}; throws if unmapped. */
    private static int copyOut(MemorySegment own, int start, byte[] array, long off, MemorySegment dst, int n) throws IOException {
        if (array != null) {
            MemorySegment.copy(own, ValueLayout.JAVA_BYTE, start, array, (int) off, n);
            return n;
        }
        long copied = CallerMemory.copyOut(own, start, dst, off, n);
        if (copied < 0) { // unmapped memory: the bytes stay for the next read
            throw ioError("recv", (int) -copied);
        }
        return (int) copied;
    }

    /**
     * Takes the completion of the read record's last operation ({@link #lastReadOp}): a receive's bytes
     * become what the socket holds; a poll's success makes the socket readable.
     *
     * @return true at end of stream
     */
    private boolean received(OperationRecord.Completion c) throws IOException {
        if ((c.flags() & IORING_CQE_F_BUFFER) != 0) {
            int bid = c.flags() >>> IORING_CQE_BUFFER_SHIFT;
            if (c.succeeded() && c.value() > 0) {
                heldBid = bid;
                heldStart = 0;
                heldEnd = c.value();
                return false;
            }
            provided.recycle(bid); // nothing in it
        }
        if (c.succeeded()) {
            readAttempts = 0;
            if (lastReadOp == POLL) {
                readable = true; // the events (never 0): the next read receives what there is
                return false;
            }
            if (c.value() == 0) {
                return true;
            }
            if (lastReadOp == PLAIN) {
                bufferedStart = 0;
                bufferedEnd = c.value();
            }
            return false;
        }
        int e = c.error();
        if (e == ECANCELED && !isOpen()) {
            throw closedException();
        }
        if (e == Errno.ENOBUFS && lastReadOp == SELECT) {
            provided.foundEmpty(); // the next receive goes to a leased buffer, or a poll; the ring may grow
            ringWasEmpty = true;
            return false;
        }
        if (!retryable(e, ++readAttempts)) {
            readAttempts = 0;
            throw ioError(lastReadOp == POLL ? "poll" : "recv", e);
        }
        return false;
    }

    @Override
    public int write(MemorySegment src, long deadline) throws IOException {
        long len = Math.min(src.byteSize(), Integer.MAX_VALUE);
        if (len == 0) {
            return 0;
        }
        return send(null, 0, src, (int) len, deadline);
    }

    /** From the array itself: no heap segment wrapped around it per call (the SPI's default would). */
    @Override
    public int write(byte[] b, int off, int len, long deadline) throws IOException {
        return len == 0 ? 0 : send(b, off, null, len, deadline);
    }

    /** From the segment at {@code offset}: no slice per call (the SPI's default would make one). */
    @Override
    public int write(MemorySegment src, long offset, long length, long deadline) throws IOException {
        int len = checkedLength(src, offset, length);
        return len == 0 ? 0 : send(null, offset, src, len, deadline);
    }

    /** The bytes one call moves of {@code length} at {@code offset} in {@code m}: bounds checked, at most an int. */
    private static int checkedLength(MemorySegment m, long offset, long length) {
        java.util.Objects.checkFromIndexSize(offset, length, m.byteSize());
        return (int) Math.min(length, Integer.MAX_VALUE);
    }

    /**
     * Copies up to one write buffer of the caller's bytes ({@code array} from {@code off}, else
     * {@code src}) into a buffer leased for this send, and sends it behind: returns without waiting for
     * the completion (see {@link SendRecord}).
     */
    private int send(byte[] array, long off, MemorySegment src, int len, long deadline) throws IOException {
        acquire(writeRecord);
        try {
            settle(deadline);
            MemorySegment m = ring.buffers().lease();
            int n = (int) Math.min(len, m.byteSize());
            try {
                if (array != null) {
                    MemorySegment.copy(array, (int) off, m, ValueLayout.JAVA_BYTE, 0, n); // a Java array cannot fault
                } else {
                    long copied = CallerMemory.copyIn(src, off, m, 0, n);
                    if (copied < 0) { // unmapped memory
                        throw ioError("send", (int) -copied);
                    }
                    n = (int) copied;
                }
            } catch (IOException | RuntimeException e) {
                ring.buffers().giveBack(m);
                throw e;
            }
            sendBehind(m, n, deadline);
            return n;
        } finally {
            endWrite();
        }
    }

    /**
     * Submits {@code n} bytes of {@code m} (leased for this send) as a write-behind send; the send owns
     * {@code m} from now on. If nothing was submitted (closed), {@code m} goes back. A write racing a
     * shutdown of output waits for its send's result (until {@code deadline}): it decides whether the
     * bytes went before the FIN, not the FIN's timing.
     */
    private void sendBehind(MemorySegment m, int n, long deadline) throws IOException {
        writeRecord.behind(m, n);
        try {
            start(writeRecord, IORING_OP_SEND, 0, 0, m.address(), n, 0, SendRecord.BEHIND_FLAGS, 0);
        } catch (SocketException closed) {
            ring.buffers().giveBack(writeRecord.notSubmitted());
            throw closed;
        }
        if (shuttingDown) {
            settle(deadline);
        }
    }

    /**
     * Before the writer's own operation: waits for a write-behind send still in flight and takes its
     * result, throwing its failure (a reset, a broken pipe) as this write's; or collects the operation a
     * cancelled writer left. The write-behind send is never cancelled here — its bytes were reported
     * written — so a deadline or a cancellation of this writer leaves it in flight for the next one.
     */
    private void settle(long deadline) throws IOException {
        if (!writeRecord.isBehind()) {
            leftover(writeRecord, deadline, SocketErrors::writeTimedOut); // a cancelled writer's operation: done with
            return;
        }
        while (writeRecord.pending()) {
            if (!isOpen()) {
                throw closedException();
            }
            if (Deadlines.hasPassed(deadline)) {
                throw SocketErrors.writeTimedOut();
            }
            Deadlines.awaitOnce(writeRecord.slot(), deadline);
        }
        if (writeRecord.hasResult()) {
            OperationRecord.Completion c = writeRecord.consume();
            if (!c.succeeded()) {
                if (!isOpen()) {
                    throw closedException();
                }
                throw ioError("send", c.error());
            }
        }
    }

    /**
     * A gathering write as one request: up to one write buffer ({@code fiberio.uring.bufferSize}) of the
     * buffers' bytes in all is copied into a buffer leased for the send and sent behind with one
     * IORING_OP_SEND, as {@link #write(MemorySegment, long)} does (cheaper than
     * iovecs at these sizes, and heap buffers cannot be handed to the kernel); more than that, if every
     * buffer is direct, one IORING_OP_WRITEV over them (at most {@link #MAX_IOVECS}), the iovecs in the write
     * lease, which the caller waits for; otherwise as much as fits is copied and sent behind. The kernel
     * reads a direct buffer of a vectored write while the caller waits; only a close returns before it
     * finished (its request is cancelled), so a caller must not reuse the buffers of a write that failed
     * with "Socket closed" for another socket.
     */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length, long deadline) throws IOException {
        long total = 0;
        int nonEmpty = 0;
        boolean allDirect = true;
        for (int i = offset; i < offset + length; i++) {
            int r = srcs[i].remaining();
            if (r > 0) {
                total += r;
                nonEmpty++;
                allDirect &= srcs[i].isDirect();
            }
        }
        if (total == 0) {
            return 0;
        }
        acquire(writeRecord);
        try {
            settle(deadline);
            if (total > BUFFER_SIZE && allDirect) {
                MemorySegment m = writeLease();
                VECTORED_WRITES.increment();
                int len = 0;
                int max = (int) Math.min(MAX_IOVECS, m.byteSize() / IoVec.SIZE);
                for (int i = offset; i < offset + length && len < max; i++) {
                    if (srcs[i].hasRemaining()) {
                        IoVec.set(m, len++, MemorySegment.ofBuffer(srcs[i]));
                    }
                }
                try {
                    return writevLoop(m, len, deadline);
                } catch (IOException e) {
                    awaitKernelDone(writeRecord); // the kernel may still read the caller's buffers
                    throw e;
                } finally {
                    Reference.reachabilityFence(srcs); // the iovecs hold raw addresses of the buffers' memory
                }
            }
            MemorySegment m = ring.buffers().lease();
            int len = 0;
            try {
                for (int i = offset; i < offset + length && len < m.byteSize(); i++) {
                    ByteBuffer b = srcs[i];
                    int n = (int) Math.min(b.remaining(), m.byteSize() - len);
                    if (n > 0) {
                        long copied = CallerMemory.copyIn(MemorySegment.ofBuffer(b), 0, m, len, n);
                        if (copied < 0) { // unmapped memory
                            throw ioError("send", (int) -copied);
                        }
                        len += (int) copied;
                        if (copied < n) {
                            break; // readable only in part: send what was read, as the one-buffer write does
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                ring.buffers().giveBack(m);
                throw e;
            }
            sendBehind(m, len, deadline);
            return len;
        } finally {
            endWrite();
        }
    }

    /**
     * After a vectored write ended by a close (which cancelled it) or a timeout: waits until the kernel
     * posted its completion, so that the caller's buffers, which the request reads in place, are not
     * returned to the caller while the kernel may still read them. Bounded by {@link #KERNEL_DONE_NANOS}
     * in case the ring itself was closed and will reap nothing more; a fiber cancellation meanwhile is
     * kept and raised after.
     */
    private static void awaitKernelDone(OperationRecord record) {
        long end = Deadlines.after(java.time.Duration.ofNanos(KERNEL_DONE_NANOS));
        FiberCancelledException cancelled = null;
        while (record.pending() && !Deadlines.hasPassed(end)) {
            try {
                Deadlines.awaitOnce(record.slot(), end);
            } catch (FiberCancelledException e) {
                cancelled = e;
            }
        }
        if (cancelled != null) {
            throw cancelled;
        }
    }

    /**
     * Writes from the {@code len} iovecs in the write lease {@code m} (IORING_OP_WRITEV) until a request
     * moves bytes, waiting for each: the kernel reads the caller's buffers in place. It starts and waits
     * itself rather than through {@link #run}: a frame less on the stack a writer waits with, which the
     * fiber's frozen stack (its stack chunk) holds while the write is in flight.
     */
    private int writevLoop(MemorySegment m, int len, long deadline) throws IOException {
        int attempts = 0; // consecutive writes that ended with ECANCELED, EINTR or EAGAIN
        writeRecord.waited();
        for (;;) {
            start(writeRecord, IORING_OP_WRITEV, 0, 0, m.address(), len, 0, 0, 0);
            OperationRecord.Completion c = CompletionWait.await(writeRecord, this, deadline, ECANCELED,
                    SocketErrors::writeTimedOut);
            if (c.succeeded()) {
                if (c.value() > 0) {
                    return c.value();
                }
                continue;
            }
            int e = c.error();
            if (e == ECANCELED && !isOpen()) {
                throw closedException();
            }
            if (!retryable(e, ++attempts)) {
                throw ioError("writev", e);
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

    /**
     * The FIN goes after the bytes already written: a write-behind send still in flight is waited for first
     * (at most the ring's close linger, then cancelled: a peer that does not read), without taking the
     * write record from a writer. A write racing with the shutdown either started its send before the
     * shutdown looked (then the shutdown waits for it too) or sees {@code shuttingDown} and waits for its
     * own send's result, so it never returns for bytes sent after the FIN (both sides write, then read,
     * volatile fields: one of them sees the other).
     */
    @Override
    public void shutdownOutput() throws IOException {
        shuttingDown = true;
        long deadline = Deadlines.after(java.time.Duration.ofNanos(ring.closeLingerNanos()));
        int sent = writeRecord.awaitSent(deadline, () -> !isOpen());
        if (sent == SendRecord.ANOTHER_WAITS) {
            return; // a concurrent shutdown sends the FIN after the send; cancelling it here would lose bytes
        }
        if (sent == SendRecord.STILL_SENDING && isOpen()) {
            writeRecord.abandon(); // the peer does not read: the FIN is not held back longer
        }
        shutdown(SHUT_WR, "shutdown(SHUT_WR)");
    }

    /** A plain shutdown(2): it never blocks, and a receive in flight then completes with 0 (end of stream). */
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

    @Override
    public String toString() {
        return "UringSocket[fd=" + fd.fd + (fd.isClosed() ? ", closed" : "") + ", remote=" + remote + "]";
    }
}
