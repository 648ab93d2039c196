package dev.fiberio.epoll;

import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_UNIX;
import static dev.fiberio.nativeio.ffi.LinuxConstants.MSG_DONTWAIT;
import static dev.fiberio.nativeio.ffi.LinuxConstants.MSG_PEEK;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SHUT_RD;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SHUT_WR;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_CLOEXEC;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_NONBLOCK;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_STREAM;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOL_SOCKET;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SO_ERROR;

import dev.fiberio.core.spi.WaitSlot;
import dev.fiberio.nativeio.ffi.Errno;
import dev.fiberio.nativeio.ffi.IoVec;
import dev.fiberio.nativeio.ffi.LibC;
import dev.fiberio.nativeio.ffi.SockAddr;
import dev.fiberio.net.spi.Deadlines;
import dev.fiberio.net.spi.SocketErrors;
import dev.fiberio.net.spi.SocketHandle;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;

/**
 * A TCP connection on epoll. Reads and writes go straight to {@code read(2)}/{@code write(2)} and
 * wait on the direction's slot only on {@code EAGAIN}: segments and direct buffers on the caller's
 * memory (heap segments included: the calls are linked critical), {@code byte[]} transfers of up to
 * {@link TransferScratch#SIZE} bytes through the carrier's native buffer, so that no call allocates. One reader and one writer at a time (FiberSocket
 * serialises callers).
 */
final class EpollSocket extends EpollChannel implements SocketHandle {
    private volatile SocketAddress remote;
    /**
     * Whether the last read attempt left the socket empty: it found nothing ({@code EAGAIN}), or it
     * returned fewer bytes than asked for (a stream socket's read copies everything queued up to the
     * count, so a short read emptied the receive queue; not after an event reported the peer's end of
     * stream, an error or urgent data, which lasts without a new event: see {@code lastingReadCondition}). Either way the registration is
     * edge-triggered and the kernel reports every arrival after that moment, so data arriving later
     * leaves a wake-up in the read slot: the next read waits there first instead of asking the kernel
     * (saving the {@code EAGAIN} read a request/response handler would make per message), and
     * {@link #tryRead} answers 0 without a system call while no wake-up is there. Cleared by every
     * wait on the read slot. Plain: used by the one reader at a time, whom FiberSocket's read lock
     * orders.
     */
    private boolean readDrained;

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
        return read(dst, 0, dst.byteSize(), deadline);
    }

    @Override
    public int read(MemorySegment dst, long offset, long length, long deadline) throws IOException {
        long len = Math.min(length, Integer.MAX_VALUE);
        if (len == 0) {
            return 0;
        }
        // Offset 0 needs no slice: the call's count bounds the transfer.
        MemorySegment target = offset == 0 ? dst : dst.asSlice(offset, len);
        for (;;) {
            awaitIfDrained(deadline);
            begin();
            long n;
            try {
                n = LibC.read(fd.fd, target, len);
            } finally {
                end();
            }
            if (n != -Errno.EINTR) {
                readDrained = leftEmpty(n, len);
                if (n != -Errno.EAGAIN) {
                    return readResult(n);
                }
            }
        }
    }

    @Override
    public int read(byte[] b, int off, int len, long deadline) throws IOException {
        if (len > TransferScratch.SIZE) {
            return read(MemorySegment.ofArray(b), off, len, deadline);
        }
        for (;;) {
            awaitIfDrained(deadline);
            begin();
            long n;
            try {
                MemorySegment scratch = TransferScratch.current().segment; // no suspension until the copy
                n = LibC.read(fd.fd, scratch, len);
                if (n > 0) {
                    MemorySegment.copy(scratch, ValueLayout.JAVA_BYTE, 0, b, off, (int) n);
                }
            } finally {
                end();
            }
            if (n != -Errno.EINTR) {
                readDrained = leftEmpty(n, len);
                if (n != -Errno.EAGAIN) {
                    return readResult(n);
                }
            }
        }
    }

    /**
     * Before a blocking read: if the last read left the socket empty, waits for the wake-up that any
     * arrival since then left or will leave in the read slot (at once if it is there).
     */
    private void awaitIfDrained(long deadline) throws IOException {
        if (readDrained) {
            readDrained = false; // whatever ends the wait, the read after it asks the kernel
            awaitReady(readSlot, deadline, SocketErrors::readTimedOut);
        }
    }

    @Override
    public int tryRead(byte[] b, int off, int len) throws IOException {
        if (readDrained && readSlot.state() != WaitSlot.READY) { // empty since the last read, nothing new
            if (fd.isClosed()) {
                throw closedException();
            }
            return 0;
        }
        for (;;) {
            begin();
            long n;
            try {
                if (len > TransferScratch.SIZE) {
                    n = LibC.read(fd.fd, MemorySegment.ofArray(b).asSlice(off, len), len);
                } else {
                    MemorySegment scratch = TransferScratch.current().segment; // no suspension until the copy
                    n = LibC.read(fd.fd, scratch, len);
                    if (n > 0) {
                        MemorySegment.copy(scratch, ValueLayout.JAVA_BYTE, 0, b, off, (int) n);
                    }
                }
            } finally {
                end();
            }
            if (n != -Errno.EINTR) {
                readDrained = leftEmpty(n, len);
                return n == -Errno.EAGAIN ? 0 : readResult(n);
            }
        }
    }

    /** A read's result for the caller: bytes, -1 at end of stream; throws for errors other than EAGAIN and EINTR. */
    private static int readResult(long n) throws IOException {
        if (n > 0) {
            return (int) n;
        }
        if (n == 0) {
            return -1;
        }
        throw ioError("read", (int) -n);
    }

    @Override
    public int write(MemorySegment src, long deadline) throws IOException {
        return write(src, 0, src.byteSize(), deadline);
    }

    @Override
    public int write(MemorySegment src, long offset, long length, long deadline) throws IOException {
        long len = Math.min(length, Integer.MAX_VALUE);
        if (len == 0) {
            return 0;
        }
        MemorySegment source = offset == 0 ? src : src.asSlice(offset, len);
        for (;;) {
            begin();
            long n;
            try {
                n = LibC.write(fd.fd, source, len);
            } finally {
                end();
            }
            if (n > 0) {
                return (int) n;
            }
            awaitWriteRetry(n, deadline);
        }
    }

    @Override
    public int write(byte[] b, int off, int len, long deadline) throws IOException {
        if (len > TransferScratch.SIZE) {
            return write(MemorySegment.ofArray(b), off, len, deadline);
        }
        for (;;) {
            begin();
            long n;
            try {
                MemorySegment scratch = TransferScratch.current().segment; // no suspension until the call
                MemorySegment.copy(b, off, scratch, ValueLayout.JAVA_BYTE, 0, len);
                n = LibC.write(fd.fd, scratch, len);
            } finally {
                end();
            }
            if (n > 0) {
                return (int) n;
            }
            awaitWriteRetry(n, deadline);
        }
    }

    /**
     * Gathers the buffers' remaining bytes into one system call: up to {@link TransferScratch#SIZE}
     * bytes in all are copied into the carrier's native buffer and sent with one {@code write(2)}
     * (cheaper than an iovec per buffer at these sizes, and heap buffers cannot be described by an
     * iovec); more than that, if every buffer is direct, one {@code writev(2)} over them; otherwise the
     * first buffer with bytes left alone.
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
        if (total > TransferScratch.SIZE && (!allDirect || nonEmpty > TransferScratch.IOVECS)) {
            return SocketHandle.super.write(srcs, offset, length, deadline);
        }
        for (;;) {
            begin();
            long n;
            try {
                TransferScratch t = TransferScratch.current(); // no suspension until the call
                if (total <= TransferScratch.SIZE) {
                    int at = 0;
                    for (int i = offset; i < offset + length; i++) {
                        ByteBuffer b = srcs[i];
                        int r = b.remaining();
                        t.buffer.put(at, b, b.position(), r);
                        at += r;
                    }
                    n = LibC.write(fd.fd, t.segment, total);
                } else {
                    int k = 0;
                    for (int i = offset; i < offset + length; i++) {
                        if (srcs[i].hasRemaining()) {
                            IoVec.set(t.iovecs, k++, MemorySegment.ofBuffer(srcs[i]));
                        }
                    }
                    n = LibC.writev(fd.fd, t.iovecs, k);
                    Reference.reachabilityFence(srcs); // the iovecs hold raw addresses of their memory
                }
            } finally {
                end();
            }
            if (n > 0) {
                return n;
            }
            awaitWriteRetry(n, deadline);
        }
    }

    /**
     * One wait on the read slot; {@link #awaitReady} returns when its deadline passes (its callers
     * retry and then throw), so the timeout is thrown here.
     */
    private void awaitReadableOnce(long deadline) throws IOException {
        awaitReady(readSlot, deadline, SocketErrors::readTimedOut);
        if (Deadlines.hasPassed(deadline)) {
            throw SocketErrors.readTimedOut();
        }
    }

    /** After a write that moved nothing: waits on EAGAIN, retries on EINTR or 0, throws otherwise. */
    private void awaitWriteRetry(long n, long deadline) throws IOException {
        if (n == 0 || n == -Errno.EINTR) {
            return;
        }
        if (n == -Errno.EAGAIN) {
            awaitReady(writeSlot, deadline, SocketErrors::writeTimedOut);
            return;
        }
        throw ioError("write", (int) -n);
    }

    /**
     * Waits until a read would find bytes, the end of the stream or an error, without a buffer. If
     * the last read found nothing ({@code readDrained}), readiness since then left a wake-up in the
     * read slot, so it just waits there once; otherwise a one-byte {@code recv(MSG_PEEK)} into the
     * carrier's scratch asks the kernel first. A stale wake-up can end the wait early; the caller's
     * next read then finds nothing and waits (or {@link #tryRead} returns 0).
     */
    @Override
    public void awaitReadable(long deadline) throws IOException {
        if (readDrained) { // the last read left nothing: any data since left a wake-up in the slot
            readDrained = false;
            awaitReadableOnce(deadline);
            return;
        }
        for (;;) {
            begin();
            long n;
            try {
                n = LibC.recv(fd.fd, TransferScratch.current().segment, 1, MSG_PEEK | MSG_DONTWAIT);
            } finally {
                end();
            }
            if (n == -Errno.EAGAIN) {
                awaitReadableOnce(deadline);
                return;
            } else if (n != -Errno.EINTR) {
                return; // bytes, end of stream, or an error the next read reports
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
