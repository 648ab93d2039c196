package dev.fiberio.uring;

import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_UNIX;
import static dev.fiberio.nativeio.ffi.LinuxConstants.MSG_DONTWAIT;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SHUT_RD;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SHUT_WR;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_CLOEXEC;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_NONBLOCK;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_STREAM;
import static dev.fiberio.uring.ffi.UringConstants.ECANCELED;
import static dev.fiberio.uring.ffi.UringConstants.IORING_CQE_BUFFER_SHIFT;
import static dev.fiberio.uring.ffi.UringConstants.IORING_CQE_F_BUFFER;
import static dev.fiberio.uring.ffi.UringConstants.IORING_OP_CONNECT;
import static dev.fiberio.uring.ffi.UringConstants.IORING_OP_RECV;
import static dev.fiberio.uring.ffi.UringConstants.IORING_OP_SEND;
import static dev.fiberio.uring.ffi.UringConstants.IORING_OP_WRITEV;
import static dev.fiberio.uring.ffi.UringConstants.IOSQE_BUFFER_SELECT;

import dev.fiberio.nativeio.completion.OperationRecord;
import dev.fiberio.nativeio.ffi.Errno;
import dev.fiberio.nativeio.ffi.IoVec;
import dev.fiberio.nativeio.ffi.LibC;
import dev.fiberio.nativeio.ffi.SockAddr;
import dev.fiberio.core.FiberCancelledException;
import dev.fiberio.net.spi.Deadlines;
import dev.fiberio.net.spi.SocketErrors;
import dev.fiberio.net.spi.SocketHandle;
import dev.fiberio.uring.ffi.CallerMemory;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * A stream connection (TCP, or AF_UNIX) on io_uring. The kernel writes asynchronously, so the caller's
 * memory (often a heap array, which the GC may move) is never handed to it: a read receives into a
 * provided buffer of the ring's {@link BufferRing} (or, without one, into the read record's own buffer,
 * {@code fiberio.uring.bufferSize}, default 16 KiB) and copies out — bytes that did not fit stay there
 * for the next read — and a write copies into the write record's buffer and sends from it (a write is
 * at most one buffer; FiberSocket loops). The copies of native caller memory go through the kernel
 * ({@link CallerMemory}), so memory that is not mapped gives EFAULT as on the epoll backend instead of a
 * crash. One reader and one writer at a time (FiberSocket serialises).
 */
final class UringSocket extends UringChannel implements SocketHandle {
    static final int BUFFER_SIZE = Integer.getInteger("fiberio.uring.bufferSize", 16 * 1024);
    /** MSG_NOSIGNAL: a send to a closed peer fails with EPIPE instead of raising SIGPIPE. */
    private static final int MSG_NOSIGNAL = 0x4000;
    /** iovecs per IORING_OP_WRITEV (the rest of the buffers go in the caller's next write). */
    static final int MAX_IOVECS = 64;
    /** How long a closed or timed-out vectored write waits for the kernel to let go of the caller's buffers. */
    private static final long KERNEL_DONE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(2);
    /** IORING_OP_WRITEV requests submitted (tests and diagnostics). */
    static final java.util.concurrent.atomic.LongAdder VECTORED_WRITES = new java.util.concurrent.atomic.LongAdder();

    /** Receives into a provided buffer, or (no buffer ring) into its own memory, which is then the plain record. */
    private final OperationRecord readRecord;
    private final OperationRecord writeRecord;
    /** The ring's provided buffers, or null: receives then go to the read record's own buffer. */
    private final BufferRing provided;
    /**
     * The record with a buffer of this socket's own for a plain receive: the read record without a buffer
     * ring; with one, created on the first ENOBUFS and kept. Written by the reader only.
     */
    private volatile OperationRecord plainRecord;
    private volatile OperationRecord[] records;
    /** Received bytes not yet read: [bufferedStart, bufferedEnd) of the plain record's memory; the reader's only. */
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
    /** The last provided-buffer receive found the ring empty: the next receive is a plain one. The reader's only. */
    private boolean plainNext;
    private volatile SocketAddress remote;

    private UringSocket(int fd, int family, Ring ring, SocketAddress remote) throws IOException {
        super(fd, family, ring);
        this.remote = remote;
        provided = ring.bufferRing();
        if (provided == null) {
            readRecord = newRecord(BUFFER_SIZE, r -> { });
            plainRecord = readRecord;
        } else {
            readRecord = newRecord(8, this::returnBuffers);
        }
        writeRecord = newRecord(Math.max(BUFFER_SIZE, (int) SockAddr.STORAGE_SIZE), r -> { });
        records = new OperationRecord[] {readRecord, writeRecord};
    }

    /**
     * Release action of the read record with a buffer ring: the buffers the socket still holds (a result
     * nobody consumed, bytes not yet read) go back to the ring.
     */
    private void returnBuffers(OperationRecord r) {
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
        return records;
    }

    /** Whether the reader holds a provided buffer with bytes not yet read (tests; the reader's view). */
    boolean holdsProvidedBuffer() {
        return heldBid >= 0;
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
            leftover(writeRecord, deadline, SocketErrors::connectTimedOut); // a cancelled writer's send: done with
            MemorySegment sa = writeRecord.memory();
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
            writeRecord.release();
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
     * next receive goes into the socket's own buffer (created then), so no byte waits for a buffer.
     */
    @Override
    public int read(MemorySegment dst, long deadline) throws IOException {
        long len = Math.min(dst.byteSize(), Integer.MAX_VALUE);
        if (len == 0) {
            return 0;
        }
        acquire(readRecord);
        try {
            for (;;) {
                int n = copyHeld(dst, (int) len);
                if (n > 0) {
                    return n;
                }
                if (endOfStream) {
                    return -1;
                }
                throwHeldError();
                receive((int) Math.min(BUFFER_SIZE, len), deadline);
            }
        } finally {
            readRecord.release();
        }
    }

    /**
     * Waits until the socket holds bytes or saw the end of the stream, without a buffer of its own
     * while it waits: the receive it leaves armed names no buffer (buffer select), so the kernel picks
     * one only when data arrives. Without a buffer ring, the wait receives into the socket's own buffer.
     */
    @Override
    public void awaitReadable(long deadline) throws IOException {
        acquire(readRecord);
        try {
            while (!holdsInput()) {
                try {
                    receive(BUFFER_SIZE, deadline);
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
            readRecord.release();
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
        MemorySegment dst = MemorySegment.ofArray(b).asSlice(off, len);
        acquire(readRecord);
        try {
            for (;;) {
                int n = copyHeld(dst, len);
                if (n > 0) {
                    readAhead();
                    return n;
                }
                if (endOfStream) {
                    return -1;
                }
                throwHeldError();
                OperationRecord inFlight = receiveInFlight();
                if (inFlight == null) {
                    return receiveNow(dst, len);
                }
                if (inFlight.pending()) {
                    return 0; // the ring has reported nothing yet
                }
                receive(len, Deadlines.NO_DEADLINE); // takes the completed receive's result at once
            }
        } finally {
            readRecord.release();
        }
    }

    /** With no receive in flight: one non-blocking recv(2) straight into the caller's array. */
    private int receiveNow(MemorySegment dst, int len) throws IOException {
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
     * With a buffer ring it holds no buffer until data arrives.
     */
    private void readAhead() throws IOException {
        if (!holdsInput() && receiveInFlight() == null && provided != null) {
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

    /** Whether a read would return at once from what the socket holds (bytes, or the end of the stream). */
    private boolean holdsInput() {
        return endOfStream || heldError != null || heldBid >= 0 || bufferedStart < bufferedEnd;
    }

    /** The record of a receive still in flight or completed and not yet taken, or null. */
    private OperationRecord receiveInFlight() {
        OperationRecord p = plainRecord;
        if (p != null && p != readRecord && (p.pending() || p.hasResult())) {
            return p;
        }
        return readRecord.pending() || readRecord.hasResult() ? readRecord : null;
    }

    /** Starts a receive and leaves it in flight: into a provided buffer, or into the socket's own buffer. */
    private void arm() throws IOException {
        if (provided != null && !plainNext) {
            start(readRecord, IORING_OP_RECV, IOSQE_BUFFER_SELECT, BufferRing.GROUP, 0, 0, 0, 0, 0);
            return;
        }
        plainNext = false;
        OperationRecord p = plainRecord(); // acquired, unless it is the read record (held by the caller)
        try {
            start(p, IORING_OP_RECV, 0, 0, p.memory().address(), BUFFER_SIZE, 0, 0, 0);
        } finally {
            if (p != readRecord) {
                p.release();
            }
        }
    }

    /**
     * One receive's result into what the socket holds: the result of a receive already in flight (armed,
     * or left by a cancelled reader), else of a new one, waited for until {@code deadline}.
     */
    private void receive(int want, long deadline) throws IOException {
        OperationRecord.Completion c = plainLeftover(deadline);
        boolean plain = true;
        if (c == null) {
            c = leftover(readRecord, deadline, SocketErrors::readTimedOut);
            plain = provided == null;
        }
        if (c == null) {
            if (provided != null && !plainNext) {
                c = run(readRecord, IORING_OP_RECV, IOSQE_BUFFER_SELECT, BufferRing.GROUP, 0, 0, 0, 0, deadline,
                        SocketErrors::readTimedOut);
                plain = false;
            } else {
                plainNext = false;
                plain = true;
                c = plainReceive(want, deadline);
            }
        }
        if (received(c, plain)) {
            endOfStream = true;
        }
    }

    /** Copies bytes the socket holds into {@code dst}; 0 if it holds none. */
    private int copyHeld(MemorySegment dst, int len) throws IOException {
        if (heldBid >= 0) {
            if (!provided.guard.acquire()) {
                throw closedException(); // the ring closed, and with it every socket of it
            }
            try {
                long copied = CallerMemory.copyOut(provided.buffer(heldBid), heldStart, dst, Math.min(len, heldEnd - heldStart));
                if (copied < 0) { // unmapped memory: the bytes stay for the next read
                    throw ioError("recv", (int) -copied);
                }
                int n = (int) copied;
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
            long copied = CallerMemory.copyOut(plainRecord.memory(), bufferedStart, dst, Math.min(len, bufferedEnd - bufferedStart));
            if (copied < 0) { // unmapped memory: the bytes stay for the next read
                throw ioError("recv", (int) -copied);
            }
            bufferedStart += (int) copied;
            return (int) copied;
        }
        return 0;
    }

    /**
     * Takes one receive's completion: its bytes become what the socket holds.
     *
     * @param plain whether it received into the plain record's memory (else into a provided buffer, if any)
     * @return true at end of stream
     */
    private boolean received(OperationRecord.Completion c, boolean plain) throws IOException {
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
            if (c.value() == 0) {
                return true;
            }
            if (plain) {
                bufferedStart = 0;
                bufferedEnd = c.value();
            }
            return false;
        }
        int e = c.error();
        if (e == ECANCELED && !isOpen()) {
            throw closedException();
        }
        if (e == Errno.ENOBUFS && !plain) {
            provided.fallbacks.increment(); // the ring is empty: this read receives into the socket's own buffer
            plainNext = true;
            return false;
        }
        if (!retryable(e, ++readAttempts)) {
            readAttempts = 0;
            throw ioError("recv", e);
        }
        return false;
    }

    /** The completion of a plain receive an earlier, cancelled reader left, or null. */
    private OperationRecord.Completion plainLeftover(long deadline) throws IOException {
        OperationRecord p = plainRecord;
        if (p == null || p == readRecord || !(p.pending() || p.hasResult())) {
            return null;
        }
        acquire(p);
        try {
            return leftover(p, deadline, SocketErrors::readTimedOut);
        } finally {
            p.release();
        }
    }

    /** A receive into the socket's own buffer (the plain record's, created on first use with a buffer ring). */
    private OperationRecord.Completion plainReceive(int want, long deadline) throws IOException {
        OperationRecord p = plainRecord();
        try {
            return run(p, IORING_OP_RECV, p.memory().address(), want, 0, 0, deadline, SocketErrors::readTimedOut);
        } finally {
            if (p != readRecord) {
                p.release();
            }
        }
    }

    /**
     * The record with the socket's own receive buffer, created on first use with a buffer ring; acquired
     * for the caller unless it is the read record (which the caller holds already).
     */
    private OperationRecord plainRecord() throws IOException {
        OperationRecord p = plainRecord;
        if (p == readRecord) {
            return p;
        }
        if (p == null) {
            p = newRecord(BUFFER_SIZE, r -> { });
            plainRecord = p;
            records = new OperationRecord[] {readRecord, writeRecord, p};
            if (!isOpen()) { // close may have read the records before this one was added (a Dekker pair of volatiles)
                p.close();
                throw closedException();
            }
        }
        acquire(p);
        return p;
    }

    @Override
    public int write(MemorySegment src, long deadline) throws IOException {
        long len = Math.min(src.byteSize(), Integer.MAX_VALUE);
        if (len == 0) {
            return 0;
        }
        acquire(writeRecord);
        try {
            leftover(writeRecord, deadline, SocketErrors::writeTimedOut); // a cancelled writer's send: done with
            long copied = CallerMemory.copyIn(src, writeRecord.memory(), (int) Math.min(len, writeRecord.memory().byteSize()));
            if (copied < 0) { // unmapped memory
                throw ioError("send", (int) -copied);
            }
            int n = (int) copied;
            int attempts = 0; // consecutive sends that ended with ECANCELED, EINTR or EAGAIN
            for (;;) {
                OperationRecord.Completion c = run(writeRecord, IORING_OP_SEND, writeRecord.memory().address(), n, 0,
                        MSG_NOSIGNAL, deadline, SocketErrors::writeTimedOut);
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
                    throw ioError("send", e);
                }
            }
        } finally {
            writeRecord.release();
        }
    }

    /**
     * A gathering write as one request: up to one write buffer ({@code fiberio.uring.bufferSize}) of the
     * buffers' bytes in all is copied into the write record's memory and sent with one IORING_OP_SEND
     * (cheaper than iovecs at these sizes, and heap buffers cannot be handed to the kernel); more than that,
     * if every buffer is direct, one IORING_OP_WRITEV over them (at most {@link #MAX_IOVECS}), the iovecs in
     * the write record's memory; otherwise as much as fits is copied and sent. The kernel reads a direct
     * buffer while the caller waits; only a close returns before it finished (its request is cancelled),
     * so a caller must not reuse the buffers of a write that failed with "Socket closed" for another socket.
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
            leftover(writeRecord, deadline, SocketErrors::writeTimedOut); // a cancelled writer's send: done with
            MemorySegment m = writeRecord.memory();
            int opcode;
            int len;
            if (total > m.byteSize() && allDirect) {
                opcode = IORING_OP_WRITEV;
                VECTORED_WRITES.increment();
                len = 0;
                int max = (int) Math.min(MAX_IOVECS, m.byteSize() / IoVec.SIZE);
                for (int i = offset; i < offset + length && len < max; i++) {
                    if (srcs[i].hasRemaining()) {
                        IoVec.set(m, len++, MemorySegment.ofBuffer(srcs[i]));
                    }
                }
            } else {
                opcode = IORING_OP_SEND;
                len = 0;
                for (int i = offset; i < offset + length && len < m.byteSize(); i++) {
                    ByteBuffer b = srcs[i];
                    int n = (int) Math.min(b.remaining(), m.byteSize() - len);
                    if (n > 0) {
                        long copied = CallerMemory.copyIn(MemorySegment.ofBuffer(b), m.asSlice(len, n), n);
                        if (copied < 0) { // unmapped memory
                            throw ioError("send", (int) -copied);
                        }
                        len += n;
                    }
                }
            }
            try {
                return sendLoop(opcode, len, deadline);
            } catch (IOException e) {
                if (opcode == IORING_OP_WRITEV) {
                    awaitKernelDone(writeRecord); // the kernel may still read the caller's buffers
                }
                throw e;
            } finally {
                Reference.reachabilityFence(srcs); // the iovecs hold raw addresses of the buffers' memory
            }
        } finally {
            writeRecord.release();
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

    /** Sends {@code len} bytes (SEND) or iovecs (WRITEV) from the write record's memory until one moves bytes. */
    private int sendLoop(int opcode, int len, long deadline) throws IOException {
        int attempts = 0; // consecutive sends that ended with ECANCELED, EINTR or EAGAIN
        for (;;) {
            OperationRecord.Completion c = opcode == IORING_OP_SEND
                    ? run(writeRecord, IORING_OP_SEND, writeRecord.memory().address(), len, 0, MSG_NOSIGNAL, deadline,
                            SocketErrors::writeTimedOut)
                    : run(writeRecord, IORING_OP_WRITEV, writeRecord.memory().address(), len, 0, 0, deadline,
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
                throw ioError(opcode == IORING_OP_SEND ? "send" : "writev", e);
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
