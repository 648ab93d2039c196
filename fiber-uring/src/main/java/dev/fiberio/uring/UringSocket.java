package dev.fiberio.uring;

import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_UNIX;
import static dev.fiberio.nativeio.ffi.LinuxConstants.MSG_DONTWAIT;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SHUT_RD;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SHUT_WR;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_CLOEXEC;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_NONBLOCK;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_STREAM;
import static dev.fiberio.uring.ffi.UringConstants.ECANCELED;
import static dev.fiberio.uring.ffi.UringConstants.IORING_OP_CONNECT;
import static dev.fiberio.uring.ffi.UringConstants.IORING_OP_RECV;
import static dev.fiberio.uring.ffi.UringConstants.IORING_OP_SEND;

import dev.fiberio.nativeio.completion.OperationRecord;
import dev.fiberio.nativeio.ffi.Errno;
import dev.fiberio.nativeio.ffi.LibC;
import dev.fiberio.nativeio.ffi.SockAddr;
import dev.fiberio.net.spi.Deadlines;
import dev.fiberio.net.spi.SocketErrors;
import dev.fiberio.net.spi.SocketHandle;
import dev.fiberio.uring.ffi.CallerMemory;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.net.SocketException;

/**
 * A stream connection (TCP, or AF_UNIX) on io_uring. The kernel writes asynchronously, so the caller's memory (often a heap
 * array, which the GC may move) is never handed to it: a read receives into the read record's buffer
 * ({@code fiberio.uring.bufferSize}, default 16 KiB) and copies out — bytes that did not fit stay there
 * for the next read — and a write copies into the write record's buffer and sends from it (a write is
 * at most one buffer; FiberSocket loops). The copies of native caller memory go through the kernel
 * ({@link CallerMemory}), so memory that is not mapped gives EFAULT as on the epoll backend instead of a
 * crash. One reader and one writer at a time (FiberSocket serialises).
 */
final class UringSocket extends UringChannel implements SocketHandle {
    static final int BUFFER_SIZE = Integer.getInteger("fiberio.uring.bufferSize", 16 * 1024);
    /** MSG_NOSIGNAL: a send to a closed peer fails with EPIPE instead of raising SIGPIPE. */
    private static final int MSG_NOSIGNAL = 0x4000;

    private final OperationRecord readRecord;
    private final OperationRecord writeRecord;
    private final OperationRecord[] records;
    /** An end of stream or error that {@link #awaitReadable} received, for the next read; the reader's only. */
    private OperationRecord.Completion held;
    /** Received bytes not yet read: [bufferedStart, bufferedEnd) of the read record; the reader's only. */
    private int bufferedStart;
    private int bufferedEnd;
    private volatile SocketAddress remote;

    private UringSocket(int fd, int family, Ring ring, SocketAddress remote) throws IOException {
        super(fd, family, ring);
        this.remote = remote;
        readRecord = newRecord(BUFFER_SIZE, r -> { });
        writeRecord = newRecord(Math.max(BUFFER_SIZE, (int) SockAddr.STORAGE_SIZE), r -> { });
        records = new OperationRecord[] {readRecord, writeRecord};
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
            OperationRecord.Completion c = run(writeRecord, IORING_OP_CONNECT, sa.address(), 0, len, 0, deadline,
                    SocketErrors::connectTimedOut);
            if (!c.succeeded() && c.error() != Errno.EISCONN) {
                if (c.error() == ECANCELED && !isOpen()) {
                    throw closedException();
                }
                throw connectError(c.error());
            }
        } finally {
            writeRecord.release();
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
        acquire(readRecord);
        try {
            int attempt = 0;
            for (;;) {
                if (bufferedStart < bufferedEnd) {
                    int n = (int) Math.min(len, bufferedEnd - bufferedStart);
                    long copied = CallerMemory.copyOut(readRecord.memory(), bufferedStart, dst, n);
                    if (copied < 0) { // unmapped memory: the bytes stay for the next read
                        throw ioError("recv", (int) -copied);
                    }
                    bufferedStart += (int) copied;
                    return (int) copied;
                }
                OperationRecord.Completion c = takeHeld();
                if (c == null) {
                    c = leftover(readRecord, deadline, SocketErrors::readTimedOut);
                }
                if (c == null) {
                    int want = (int) Math.min(BUFFER_SIZE, Math.max(len, 1));
                    c = run(readRecord, IORING_OP_RECV, readRecord.memory().address(), want, 0, 0, deadline,
                            SocketErrors::readTimedOut);
                }
                if (!received(c, ++attempt)) {
                    return -1;
                }
            }
        } finally {
            readRecord.release();
        }
    }

    /**
     * What is there, without waiting: the bytes already received, else one non-blocking {@code recv(2)}
     * (a plain system call: a receive submitted and cancelled at once would cost a round trip through
     * the ring and a cancellation per attempt, which an idle connection's tryRead/awaitReadable loop
     * makes all the time).
     */
    @Override
    public int tryRead(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        acquire(readRecord);
        try {
            if (bufferedStart == bufferedEnd) {
                if (readRecord.pending()) {
                    return 0; // an earlier caller's receive is still in the kernel: the next read collects it
                }
                OperationRecord.Completion c = takeHeld();
                if (c == null) {
                    c = leftover(readRecord, Deadlines.NO_DEADLINE, SocketErrors::readTimedOut); // a result, never a wait
                }
                if (c == null) {
                    int r = withFd(() -> (int) LibC.recv(fd.fd, readRecord.memory(), BUFFER_SIZE, MSG_DONTWAIT));
                    if (r == -Errno.EAGAIN || r == -Errno.EINTR) {
                        return 0;
                    }
                    c = r < 0 ? new OperationRecord.Completion(-r, 0, 0) : new OperationRecord.Completion(0, r, 0);
                }
                if (!received(c, 1)) {
                    return -1;
                }
                if (bufferedStart == bufferedEnd) {
                    return 0; // an attempt that was retried: nothing yet
                }
            }
        } finally {
            readRecord.release();
        }
        return read(b, off, len, Deadlines.NO_DEADLINE); // served from the buffer: does not wait
    }

    /**
     * Waits until a read would not wait: a receive into the read record's own buffer (which every socket
     * of this backend has anyway), whose bytes the next read or tryRead takes; an end of stream or an
     * error is kept for it likewise.
     */
    @Override
    public void awaitReadable(long deadline) throws IOException {
        acquire(readRecord);
        try {
            if (bufferedStart < bufferedEnd || held != null) {
                return;
            }
            OperationRecord.Completion c = leftover(readRecord, deadline, SocketErrors::readTimedOut);
            if (c == null) {
                c = run(readRecord, IORING_OP_RECV, readRecord.memory().address(), BUFFER_SIZE, 0, 0, deadline,
                        SocketErrors::readTimedOut);
            }
            if (c.succeeded() && c.value() > 0) {
                bufferedStart = 0;
                bufferedEnd = c.value();
            } else {
                held = c;
            }
        } finally {
            readRecord.release();
        }
    }

    /** The completion {@link #awaitReadable} kept for the next read (an end of stream, an error), or null. */
    private OperationRecord.Completion takeHeld() {
        OperationRecord.Completion c = held;
        held = null;
        return c;
    }

    /**
     * Takes a receive's completion: bytes into the buffer (true), the end of the stream (false), an
     * attempt to make again (true, nothing buffered), or the error.
     *
     * @param attempt how many attempts of this read ended so far, this one included
     */
    private boolean received(OperationRecord.Completion c, int attempt) throws IOException {
        if (c.succeeded()) {
            if (c.value() == 0) {
                return false;
            }
            bufferedStart = 0;
            bufferedEnd = c.value();
            return true;
        }
        int e = c.error();
        if (e == ECANCELED && !isOpen()) {
            throw closedException();
        }
        if (!retryable(e, attempt)) {
            throw ioError("recv", e);
        }
        return true;
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
            for (int attempt = 1; ; attempt++) {
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
                if (!retryable(e, attempt)) {
                    throw ioError("send", e);
                }
            }
        } finally {
            writeRecord.release();
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
