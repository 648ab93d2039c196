package dev.fiberio.iocp;

import static dev.fiberio.iocp.win32.Win32Constants.AF_INET;
import static dev.fiberio.iocp.win32.Win32Constants.FIONREAD;
import static dev.fiberio.iocp.win32.Win32Constants.SD_RECEIVE;
import static dev.fiberio.iocp.win32.Win32Constants.SD_SEND;
import static dev.fiberio.iocp.win32.Win32Constants.SOL_SOCKET;
import static dev.fiberio.iocp.win32.Win32Constants.SO_UPDATE_CONNECT_CONTEXT;
import static dev.fiberio.iocp.win32.Win32Constants.WSAENOTCONN;
import static dev.fiberio.iocp.win32.Win32Constants.WSAESHUTDOWN;
import static dev.fiberio.iocp.win32.Win32Constants.WSA_OPERATION_ABORTED;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.fiberio.iocp.win32.Win32Error;
import dev.fiberio.nativeio.completion.OperationRecord;
import dev.fiberio.net.spi.Deadlines;
import dev.fiberio.net.spi.SocketErrors;
import dev.fiberio.net.spi.SocketHandle;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;

/**
 * A TCP connection on an I/O completion port: WSARecv and WSASend into and out of the socket's own
 * read and write records (never the caller's memory, which may be a heap array or gone by the time
 * the kernel writes), ConnectEx after a wildcard bind.
 *
 * <p>Reads start with a zero-byte WSARecv, which completes when data (or the end of stream) is
 * there without handing the kernel a buffer to lock for an idle connection, then receive what is
 * there into the record; after a receive that filled the buffer, the next one receives in full at once.
 * Reads return what arrived (at least one byte) or -1 at end of stream (a 0-byte completion of a full receive);
 * a completion larger than the caller's segment (possible only after a cancelled read with a larger
 * segment left its data behind) is kept in the read record and served first. Writes copy up to one
 * record buffer and may be partial; {@code FiberSocket} loops.
 *
 * <p>{@link #awaitReadable} is that zero-byte WSARecv alone (it takes nothing); {@link #tryRead} starts a
 * receive only when it will complete at once (a zero-byte receive completed, or FIONREAD counts bytes),
 * so an idle connection served by the two costs one pending zero-byte receive, never a receive
 * started and cancelled per turn.
 *
 * <p>Threads: one reader and one writer at a time ({@code FiberSocket} serialises them); the read
 * record's buffer window ({@code bufferOffset}, {@code bufferLimit}) and {@code requested},
 * {@code receiveInFull}, {@code readable}, {@code keptError} are the reader's, plain (readers are ordered by the record's USER CAS).
 * {@code remote}, {@code bound} and the shutdown flags are volatile: any thread may ask.
 */
final class IocpSocket extends IocpChannel implements SocketHandle {
    private final OverlappedRecord readRecord;
    private final OverlappedRecord writeRecord;
    private final OverlappedRecord[] records;
    private volatile InetSocketAddress remote;
    private volatile boolean bound;
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;
    private int bufferOffset;
    private int bufferLimit;
    /** The WSABUF length of the read started last (0: a zero-byte read); its completion may be collected later. */
    private int requested;
    /** Whether the next read receives into the buffer at once instead of starting with a zero-byte read. */
    private boolean receiveInFull;
    /**
     * A zero-byte receive completed and nothing was received since: data, the end of stream or a reset
     * is there, so a receive into the buffer completes at once.
     */
    private boolean readable;
    /** The error a zero-byte receive of {@link #awaitReadable} completed with (a reset); the next read throws it. */
    private int keptError;

    private IocpSocket(IocpGroup group, long handle, int family, InetSocketAddress remote) {
        super(group, handle, family);
        this.readRecord = newRecord(readSlot);
        this.writeRecord = newRecord(writeSlot);
        this.records = new OverlappedRecord[] {readRecord, writeRecord};
        this.remote = remote;
        this.bound = remote != null;
    }

    /**
     * Opens an unconnected socket on {@code group}'s port.
     *
     * @param group  the group
     * @param family {@code AF_INET} or {@code AF_INET6}
     * @return the socket, owned by the caller
     */
    static IocpSocket open(IocpGroup group, int family) throws IOException {
        long handle = group.newSocket(family);
        IocpSocket s = new IocpSocket(group, handle, family, null);
        s.register(true);
        return s;
    }

    /**
     * Wraps a socket that AcceptEx connected (SO_UPDATE_ACCEPT_CONTEXT already set).
     *
     * @param handle the accepted socket, owned by the new object from now on (closed if this fails)
     */
    static IocpSocket accepted(IocpGroup group, long handle, int family, InetSocketAddress remote) throws IOException {
        IocpSocket s = new IocpSocket(group, handle, family, remote);
        s.register(false);
        return s;
    }

    @Override
    OverlappedRecord[] records() {
        return records;
    }

    /** The read record (tests observe its ownership state). */
    OverlappedRecord readRecord() {
        return readRecord;
    }

    /** The write record (tests observe its ownership state). */
    OverlappedRecord writeRecord() {
        return writeRecord;
    }

    @Override
    public void bind(SocketAddress localAddress) throws IOException {
        InetSocketAddress local = (InetSocketAddress) localAddress; // the provider opens Internet sockets only
        ensureOpen();
        bindTo(local);
        bound = true;
    }

    @Override
    public void connect(SocketAddress remoteAddress, long deadline) throws IOException {
        InetSocketAddress address = (InetSocketAddress) remoteAddress; // the provider opens Internet sockets only
        OverlappedRecord rec = writeRecord;
        if (!rec.acquire()) {
            throw SocketErrors.socketClosed();
        }
        try {
            ensureOpen();
            if (remote != null) {
                throw new SocketException("Already connected");
            }
            OperationRecord.Completion c = collectLeftover(rec, deadline, SocketErrors::connectTimedOut);
            if (c == null) {
                if (!bound) {
                    bind(wildcard()); // ConnectEx needs a bound socket
                }
                int length = encode(address, rec.data());
                c = run(rec, 0, (h, r) -> win32.connectEx(h, r.data(), length, MemorySegment.NULL, 0, r.syncBytes(),
                        r.overlapped()) ? 0 : win32.lastError(), deadline, SocketErrors::connectTimedOut);
            }
            if (!c.succeeded()) {
                throwIfClosed(c);
                throw Win32Error.connectException("ConnectEx", c.error());
            }
            // getpeername, getsockname and shutdown need the updated context (ConnectEx docs).
            check("setsockopt(SO_UPDATE_CONNECT_CONTEXT)", call(h ->
                    win32.setsockopt(h, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, MemorySegment.NULL, 0) == 0
                            ? 0 : win32.lastError()));
            remote = address;
        } finally {
            rec.release();
        }
    }

    private InetSocketAddress wildcard() throws UnknownHostException {
        byte[] any = new byte[family == AF_INET ? 4 : 16];
        return new InetSocketAddress(InetAddress.getByAddress(any), 0);
    }

    @Override
    public int read(MemorySegment dst, long deadline) throws IOException {
        OverlappedRecord rec = readRecord;
        if (!rec.acquire()) {
            throw SocketErrors.socketClosed();
        }
        try {
            for (;;) {
                if (bufferOffset < bufferLimit) {
                    return copyOut(dst);
                }
                throwKeptError();
                ensureOpen();
                OperationRecord.Completion c = collectLeftover(rec, deadline, SocketErrors::readTimedOut);
                if (c == null) {
                    if (inputShutdown) {
                        return -1;
                    }
                    // A zero-byte receive waits for data without handing the kernel a buffer to lock, so an
                    // idle connection pins none; then a full receive takes what is there (at once). Right
                    // after a receive that filled its buffer more is likely waiting: receive in full at once.
                    requested = receiveInFull || readable ? (int) Math.min(dst.byteSize(), rec.capacity()) : 0;
                    readable = false;
                    int length = requested;
                    c = run(rec, length, (h, r) -> win32.wsaRecv(h, r.wsaBuf(), 1, r.syncBytes(), r.flags(),
                            r.overlapped()) == 0 ? 0 : win32.lastError(), deadline, SocketErrors::readTimedOut);
                }
                if (c.succeeded()) {
                    if (requested == 0) {
                        receiveInFull = true; // data, end of stream or a reset is there: the next receive tells which
                        continue;
                    }
                    if (c.value() == 0) {
                        return -1; // a 0-byte receive into a buffer: the peer shut its output down
                    }
                    receiveInFull = c.value() == requested;
                    bufferOffset = 0;
                    bufferLimit = c.value();
                } else {
                    throwIfClosed(c);
                    if (c.error() == WSA_OPERATION_ABORTED || c.error() == WSAESHUTDOWN) {
                        if (inputShutdown) {
                            return -1;
                        }
                        // otherwise the abort of a read an earlier, cancelled caller left: read anew
                    } else {
                        throw failure("WSARecv", c.error());
                    }
                }
            }
        } finally {
            rec.release();
        }
    }

    /**
     * Waits until a read would not wait, holding no buffer: a zero-byte WSARecv, which completes when
     * data, the end of stream or a reset is there and takes nothing. A reset is kept for the next read.
     */
    @Override
    public void awaitReadable(long deadline) throws IOException {
        OverlappedRecord rec = readRecord;
        if (!rec.acquire()) {
            throw SocketErrors.socketClosed();
        }
        try {
            for (;;) {
                ensureOpen();
                if (bufferOffset < bufferLimit || readable || keptError != 0 || inputShutdown) {
                    return;
                }
                OperationRecord.Completion c = collectLeftover(rec, deadline, SocketErrors::readTimedOut);
                if (c == null) {
                    requested = 0;
                    c = run(rec, 0, (h, r) -> win32.wsaRecv(h, r.wsaBuf(), 1, r.syncBytes(), r.flags(),
                            r.overlapped()) == 0 ? 0 : win32.lastError(), deadline, SocketErrors::readTimedOut);
                }
                if (!absorb(c)) {
                    return;
                }
            }
        } finally {
            rec.release();
        }
    }

    /**
     * Takes the bytes that have arrived without waiting and without starting a receive that could wait:
     * a receive is started only when one completes at once, because a zero-byte receive completed
     * (data, end of stream or a reset is there) or FIONREAD counts bytes.
     */
    @Override
    public int tryRead(byte[] b, int off, int len) throws IOException {
        MemorySegment dst = MemorySegment.ofArray(b).asSlice(off, len);
        OverlappedRecord rec = readRecord;
        if (!rec.acquire()) {
            throw SocketErrors.socketClosed();
        }
        try {
            for (;;) {
                if (bufferOffset < bufferLimit) {
                    return copyOut(dst);
                }
                throwKeptError();
                ensureOpen();
                if (inputShutdown) {
                    return -1;
                }
                if (rec.hasResult()) { // an earlier, cancelled caller's operation completed: take its result first
                    absorb(rec.consume());
                    continue;
                }
                if (rec.pending() || (!readable && bytesAvailable() == 0)) {
                    return 0; // (pending: a cancelled caller's operation the kernel still owns; awaitReadable collects it)
                }
                readable = false;
                requested = (int) Math.min(len, rec.capacity());
                int length = requested;
                OperationRecord.Completion c = run(rec, length, (h, r) -> win32.wsaRecv(h, r.wsaBuf(), 1, r.syncBytes(),
                        r.flags(), r.overlapped()) == 0 ? 0 : win32.lastError(), Deadlines.NO_DEADLINE,
                        SocketErrors::readTimedOut);
                if (c.succeeded()) {
                    if (c.value() == 0) {
                        return -1;
                    }
                    receiveInFull = c.value() == requested;
                    bufferOffset = 0;
                    bufferLimit = c.value();
                    continue;
                }
                throwIfClosed(c);
                if (c.error() == WSA_OPERATION_ABORTED || c.error() == WSAESHUTDOWN) {
                    return inputShutdown ? -1 : 0;
                }
                throw failure("WSARecv", c.error());
            }
        } finally {
            rec.release();
        }
    }

    /**
     * Takes in the completion of a receive that {@link #awaitReadable} started or collected: a zero-byte
     * one makes the socket {@link #readable}, a full one's bytes are buffered (0 bytes, the end of stream,
     * which the next receive reports again: readable), a failure is kept for the next read.
     *
     * @return true to try again (the abort of an earlier, cancelled caller's operation)
     */
    private boolean absorb(OperationRecord.Completion c) throws SocketException {
        if (c.succeeded()) {
            if (requested == 0 || c.value() == 0) {
                readable = true;
            } else {
                receiveInFull = c.value() == requested;
                bufferOffset = 0;
                bufferLimit = c.value();
            }
            return false;
        }
        throwIfClosed(c);
        if (c.error() == WSA_OPERATION_ABORTED) {
            return true;
        }
        keptError = c.error();
        return false;
    }

    /** FIONREAD through a non-overlapped WSAIoctl: the bytes a receive would take now (0 at end of stream). */
    private int bytesAvailable() throws IOException {
        CarrierScratch s = CarrierScratch.get();
        s.value.set(JAVA_INT, 0, 0);
        int code = call(h -> win32.wsaIoctl(h, FIONREAD, MemorySegment.NULL, 0, s.value, 4, s.ints,
                MemorySegment.NULL) == 0 ? 0 : win32.lastError());
        if (code != 0) {
            throw failure("WSAIoctl(FIONREAD)", code);
        }
        return s.value.get(JAVA_INT, 0);
    }

    /** Throws the failure a zero-byte receive of {@link #awaitReadable} kept, once. */
    private void throwKeptError() throws IOException {
        int code = keptError;
        if (code != 0) {
            keptError = 0;
            throw failure("WSARecv", code);
        }
    }

    private int copyOut(MemorySegment dst) {
        int n = (int) Math.min(dst.byteSize(), bufferLimit - bufferOffset);
        MemorySegment.copy(readRecord.data(), bufferOffset, dst, 0, n);
        bufferOffset += n;
        return n;
    }

    @Override
    public int write(MemorySegment src, long deadline) throws IOException {
        OverlappedRecord rec = writeRecord;
        if (!rec.acquire()) {
            throw SocketErrors.socketClosed();
        }
        try {
            for (;;) {
                ensureOpen();
                if (outputShutdown) {
                    throw new SocketException("Socket output is shutdown");
                }
                if (collectLeftover(rec, deadline, SocketErrors::writeTimedOut) != null) {
                    continue; // the send of an earlier, cancelled caller: its bytes are not ours to count
                }
                int length = (int) Math.min(src.byteSize(), rec.capacity());
                MemorySegment.copy(src, 0, rec.data(), 0, length);
                OperationRecord.Completion c = run(rec, length, (h, r) -> win32.wsaSend(h, r.wsaBuf(), 1, r.syncBytes(),
                        0, r.overlapped()) == 0 ? 0 : win32.lastError(), deadline, SocketErrors::writeTimedOut);
                if (c.succeeded()) {
                    if (c.value() > 0) {
                        return c.value();
                    }
                } else {
                    throwIfClosed(c);
                    if (c.error() != WSA_OPERATION_ABORTED) {
                        throw failure("WSASend", c.error());
                    } // else the abort of a send an earlier, cancelled caller left: send anew
                }
            }
        } finally {
            rec.release();
        }
    }

    @Override
    public void shutdownInput() throws IOException {
        ensureOpen();
        if (inputShutdown) {
            return;
        }
        inputShutdown = true; // first: a read that starts after the shutdown then returns -1
        try {
            shutdown(SD_RECEIVE, "shutdown(SD_RECEIVE)");
        } catch (IOException e) {
            inputShutdown = false;
            throw e;
        }
        if (readRecord.pending()) {
            cancel(readRecord); // a blocked reader then returns -1
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        ensureOpen();
        if (outputShutdown) {
            return;
        }
        shutdown(SD_SEND, "shutdown(SD_SEND)");
        outputShutdown = true;
    }

    private void shutdown(int how, String operation) throws IOException {
        int code = call(h -> win32.shutdown(h, how) == 0 ? 0 : win32.lastError());
        if (code != 0) {
            throw failure(operation, code);
        }
    }

    /** The exception for a failed operation: java.net's message for "not connected", else {@link Win32Error}'s. */
    private static IOException failure(String operation, int code) {
        return code == WSAENOTCONN ? new SocketException("Socket is not connected") : Win32Error.exception(operation, code);
    }

    @Override
    public InetSocketAddress remoteAddress() throws IOException {
        ensureOpen();
        return remote;
    }

    @Override
    public String toString() {
        return "IocpSocket[" + handle + (isOpen() ? "" : ", closed") + ", remote=" + remote + "]";
    }
}
