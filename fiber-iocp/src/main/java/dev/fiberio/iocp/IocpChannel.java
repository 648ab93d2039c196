package dev.fiberio.iocp;

import static dev.fiberio.iocp.win32.Win32Constants.AF_INET;
import static dev.fiberio.iocp.win32.Win32Constants.AF_INET6;
import static dev.fiberio.iocp.win32.Win32Constants.IPPROTO_IPV6;
import static dev.fiberio.iocp.win32.Win32Constants.IPV6_V6ONLY;
import static dev.fiberio.iocp.win32.Win32Constants.ERROR_IO_PENDING;
import static dev.fiberio.iocp.win32.Win32Constants.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS;
import static dev.fiberio.iocp.win32.Win32Constants.FILE_SKIP_SET_EVENT_ON_HANDLE;
import static dev.fiberio.iocp.win32.Win32Constants.SOL_SOCKET;
import static dev.fiberio.iocp.win32.Win32Constants.SO_EXCLUSIVEADDRUSE;
import static dev.fiberio.iocp.win32.Win32Constants.WSAEINVAL;
import static dev.fiberio.iocp.win32.Win32Constants.WSA_OPERATION_ABORTED;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.fiberio.core.spi.WaitSlot;
import dev.fiberio.iocp.win32.SockAddrs;
import dev.fiberio.iocp.win32.Win32;
import dev.fiberio.iocp.win32.Win32Error;
import dev.fiberio.nativeio.CloseGuard;
import dev.fiberio.nativeio.OptionValues;
import dev.fiberio.nativeio.completion.CompletionWait;
import dev.fiberio.nativeio.completion.OperationRecord;
import dev.fiberio.net.spi.NetHandle;
import dev.fiberio.net.spi.SocketErrors;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every IOCP socket shares: the SOCKET's life cycle (a {@link CloseGuard}), its association
 * with the group's completion port under a token of the port's {@link dev.fiberio.nativeio.TokenTable},
 * one {@link WaitSlot} per direction, its {@link OverlappedRecord}s, options and the local address.
 *
 * <h2>Implementation overview</h2>
 * <ul>
 *   <li>{@link #run} performs one overlapped operation: it first collects a completion that an
 *       earlier, cancelled caller left on the record ({@link #collectLeftover}), then starts the
 *       call with the socket acquired in its guard, and waits through the completion core's
 *       {@link CompletionWait} (aborted status WSA_OPERATION_ABORTED, bounded by the cancel grace) unless
 *       the call finished synchronously. With FILE_SKIP_COMPLETION_PORT_ON_SUCCESS set (done in
 *       {@link #register}), a synchronous success queues no packet, so the record is free again at
 *       once; if the mode could not be set, a synchronous success is waited for like a pending one,
 *       since its packet will come.</li>
 *   <li>{@link #close()} marks the guard closed (closesocket runs now, or when the last call in
 *       progress leaves), closes the records (each is released when neither a caller nor the
 *       kernel holds it) and signals both slots, so every blocked caller wakes, sees the socket
 *       closed and throws "Socket closed". Signals, not interrupts: a caller that checked the
 *       socket open but has not started to wait still finds the wake-up as a permit.</li>
 *   <li>The table entry is removed when the last record was released: until then, completions of
 *       aborted operations still find their record, and after it, a stale one finds nothing.</li>
 *   <li>Fields: {@code token} and {@code skipOnSuccess} are written once by {@link #register},
 *       before the socket is handed out; {@code reuseAddress} is volatile (the emulated option).</li>
 * </ul>
 */
abstract class IocpChannel implements NetHandle, CompletionTarget, CompletionWait.Owner {
    private static final Logger LOG = LoggerFactory.getLogger(IocpChannel.class);

    final IocpGroup group;
    final Win32 win32;
    /**
     * The SOCKET: calls on it run between {@code socket.acquire()} and {@code socket.release()}, or in
     * {@link #register} before the channel is handed out.
     */
    final long handle;
    final CloseGuard socket;
    final int family;
    final WaitSlot readSlot = new WaitSlot();
    final WaitSlot writeSlot = new WaitSlot();
    private final AtomicInteger liveRecords = new AtomicInteger();
    private long token;
    private boolean skipOnSuccess;
    private volatile boolean reuseAddress;

    /** Takes ownership of {@code handle}: from now on {@link #close()} releases it. */
    IocpChannel(IocpGroup group, long handle, int family) {
        this.group = group;
        this.win32 = group.win32;
        this.family = family;
        // The last call to leave may be a poller's (errorOf): the group moves closesocket off it.
        this.handle = handle;
        this.socket = new CloseGuard(() -> group.closeSocket(handle));
    }

    /** A record for this channel: its release is counted so the table entry goes with the last one. */
    final OverlappedRecord newRecord(WaitSlot slot) {
        liveRecords.incrementAndGet();
        return group.records.take(slot, this::recordReleased);
    }

    /** An unpooled record with a buffer of {@code size} bytes, counted like {@link #newRecord}. */
    final OverlappedRecord newSmallRecord(WaitSlot slot, int size) {
        liveRecords.incrementAndGet();
        return group.records.takeUnpooled(size, slot, this::recordReleased);
    }

    /** Runs when one of this channel's records was released (any thread). */
    void recordReleased(OverlappedRecord record) {
        if (liveRecords.decrementAndGet() == 0) {
            group.port.channels().remove(token);
        }
    }

    /** Every record of this channel, for {@link #recordAt} and {@link #close()}. */
    abstract OverlappedRecord[] records();

    /**
     * Enters the channel in the port's table and associates the socket with the port; closes the
     * channel if that fails.
     *
     * @param exclusiveAddress set SO_EXCLUSIVEADDRUSE (sockets that will be bound)
     */
    final void register(boolean exclusiveAddress) throws IOException {
        register(exclusiveAddress, false);
    }

    /**
     * Like {@link #register(boolean)}.
     *
     * @param exclusiveAddress set SO_EXCLUSIVEADDRUSE now (and, on IPv6, clear IPV6_V6ONLY)
     * @param datagram         a UDP socket: AcceptEx/ConnectEx are not loaded through it, IPV6_V6ONLY is
     *                         cleared, and its address option is left to its bind
     */
    final void register(boolean exclusiveAddress, boolean datagram) throws IOException {
        try {
            token = group.port.channels().add(this);
            group.port.associate(handle, token);
            // No packet for a synchronous success, and no event signalling (SetFileCompletionNotificationModes),
            // but only where the provider returns IFS handles: with a non-IFS layered provider the packet
            // may come anyway and would complete the record's next operation with this one's result.
            if (group.ifsHandles(family, datagram, handle)) {
                skipOnSuccess = win32.setFileCompletionNotificationModes(handle,
                        (byte) (FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE));
                if (!skipOnSuccess) {
                    LOG.debug("SetFileCompletionNotificationModes failed ({}): synchronous successes wait for their packet",
                            Win32Error.name(win32.lastError()));
                }
            }
            if (datagram) {
                if (family == AF_INET6) {
                    clearV6Only();
                }
            } else {
                group.ensureExtensions(handle);
            }
            if (exclusiveAddress) {
                CarrierScratch s = CarrierScratch.get();
                s.value.set(JAVA_INT, 0, 1);
                check("setsockopt(SO_EXCLUSIVEADDRUSE)", call(h ->
                        win32.setsockopt(h, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, s.value, SocketOptions.VALUE_LENGTH) == 0
                                ? 0 : win32.lastError()));
                if (family == AF_INET6) {
                    clearV6Only();
                }
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Windows makes IPv6 sockets v6-only by default; java.net's are dual-stack (a server on :: accepts
     * IPv4 clients too, a datagram socket on :: exchanges with IPv4 peers), so clear it, as the JDK does.
     */
    final void clearV6Only() throws IOException {
        CarrierScratch s = CarrierScratch.get();
        s.value.set(JAVA_INT, 0, 0);
        check("setsockopt(IPV6_V6ONLY)", call(h ->
                win32.setsockopt(h, IPPROTO_IPV6, IPV6_V6ONLY, s.value, SocketOptions.VALUE_LENGTH) == 0
                        ? 0 : win32.lastError()));
    }

    /** The completion key of this channel (its token). */
    final long token() {
        return token;
    }

    // ---------------------------------------------------------------- operations

    /** One overlapped call: returns 0 on (synchronous) success, else the error the call left. */
    @FunctionalInterface
    interface OverlappedCall {
        /**
         * Issues the call.
         *
         * @param handle the socket handle (acquired in its guard during the call)
         * @param record the record, prepared
         * @return 0, {@code ERROR_IO_PENDING}, or another error code, read right after the call
         */
        int start(long handle, OverlappedRecord record);
    }

    /** A short, non-overlapped call on the socket handle. */
    @FunctionalInterface
    interface HandleCall {
        /**
         * Issues the call.
         *
         * @param handle the socket handle (acquired in its guard during the call)
         * @return 0 on success, else the error code, read right after the call
         */
        int call(long handle);
    }

    /**
     * If an earlier caller left an operation on {@code record} (it was cancelled while waiting),
     * waits for its completion and returns it; the caller decides whether it is its result.
     *
     * @return the left-over completion, or null if the record is free
     */
    final OperationRecord.Completion collectLeftover(OverlappedRecord record, long deadline,
                                                     Supplier<SocketTimeoutException> timeout) throws IOException {
        return CompletionWait.collectLeftover(record, this, deadline, WSA_OPERATION_ABORTED, timeout);
    }

    /**
     * Starts {@code call} on {@code record} (the caller holds it and collected any leftover) and
     * waits for its completion.
     *
     * @param length the data bytes the WSABUF covers
     * @return the completion: success with its byte count, or the error
     * @throws IOException "Socket closed", or the timeout if the deadline aborted the operation
     */
    final OperationRecord.Completion run(OverlappedRecord record, int length, OverlappedCall call, long deadline,
                                         Supplier<SocketTimeoutException> timeout) throws IOException {
        return run(record, 0, length, call, deadline, timeout);
    }

    /** Like {@link #run(OverlappedRecord, int, OverlappedCall, long, Supplier)}, the WSABUF at {@code offset} in the data buffer. */
    final OperationRecord.Completion run(OverlappedRecord record, long offset, int length, OverlappedCall call,
                                         long deadline, Supplier<SocketTimeoutException> timeout) throws IOException {
        OperationRecord.Completion c = start(record, offset, length, call);
        return c != null ? c : CompletionWait.await(record, this, deadline, WSA_OPERATION_ABORTED, timeout);
    }

    /**
     * Starts {@code call} on {@code record} (the caller holds it and collected any leftover) without
     * waiting.
     *
     * @param length the data bytes the WSABUF covers
     * @return the result if the call reported one that queues no packet (a synchronous success with
     *         skip-on-success, or a failure at the call); null if a completion packet will come
     * @throws SocketException "Socket closed"
     */
    final OperationRecord.Completion start(OverlappedRecord record, int length, OverlappedCall call) throws SocketException {
        return start(record, 0, length, call);
    }

    private OperationRecord.Completion start(OverlappedRecord record, long offset, int length, OverlappedCall call)
            throws SocketException {
        record.prepare(offset, length);
        int code;
        if (!socket.acquire()) {
            throw SocketErrors.socketClosed();
        }
        try {
            record.started();
            try {
                code = call.start(handle, record);
            } catch (RuntimeException | Error e) {
                record.notStarted();
                throw e;
            }
        } finally {
            socket.release();
        }
        if (code == 0 && skipOnSuccess) {
            record.notStarted();
            return new OperationRecord.Completion(0, record.syncBytesPlain(), 0);
        }
        if (code != 0 && code != ERROR_IO_PENDING) {
            record.notStarted(); // failed at the call: nothing is queued, the memory is ours again
            return new OperationRecord.Completion(code, 0, 0);
        }
        return null;
    }

    /** Runs a short call on the open socket. */
    final int call(HandleCall call) throws SocketException {
        if (!socket.acquire()) {
            throw SocketErrors.socketClosed();
        }
        try {
            return call.call(handle);
        } finally {
            socket.release();
        }
    }

    /** Throws the exception for {@code code} unless it is 0. */
    static void check(String operation, int code) throws IOException {
        if (code != 0) {
            throw Win32Error.exception(operation, code);
        }
    }

    /** Throws "Socket closed" if the socket was closed. */
    final void ensureOpen() throws SocketException {
        if (!isOpen()) {
            throw SocketErrors.socketClosed();
        }
    }

    /**
     * Throws "Socket closed" if a failed operation failed because the socket was closed. Decided by the
     * socket's state, not the status: an operation aborted by closesocket may complete as cancelled,
     * aborted or locally disconnected (see {@link NtStatus}).
     */
    final void throwIfClosed(OperationRecord.Completion c) throws SocketException {
        if (!c.succeeded() && !isOpen()) {
            throw SocketErrors.socketClosed();
        }
    }

    @Override
    public final void cancel(OperationRecord record) {
        if (socket.acquire()) {
            try {
                // ERROR_NOT_FOUND: it completed already. Only this channel's records are ever passed here.
                win32.cancelIoEx(handle, ((OverlappedRecord) record).overlapped());
            } finally {
                socket.release();
            }
        }
    }

    @Override
    public final SocketException closedException() {
        return SocketErrors.socketClosed();
    }

    /** CancelIoEx may go unanswered (a layered provider may ignore it): a deadline's wait for the completion is bounded. */
    @Override
    public final long cancelGraceNanos() {
        return group.config.cancelGraceNanos();
    }

    // ---------------------------------------------------------------- CompletionTarget

    @Override
    public final OverlappedRecord recordAt(long overlappedAddress) {
        for (OverlappedRecord r : records()) {
            if (r.overlappedAddress() == overlappedAddress) {
                return r;
            }
        }
        return null;
    }

    @Override
    public final int errorOf(OverlappedRecord record, int ntStatus) {
        if (!socket.acquire()) {
            return WSA_OPERATION_ABORTED; // closed: closesocket aborted it
        }
        try {
            CarrierScratch s = CarrierScratch.get();
            if (win32.wsaGetOverlappedResult(handle, record.overlapped(), s.ints, s.ints.asSlice(4))) {
                return 0;
            }
            return win32.lastError();
        } finally {
            socket.release();
        }
    }

    // ---------------------------------------------------------------- NetHandle

    @Override
    public final boolean isOpen() {
        return !socket.isClosed();
    }

    @Override
    public void close() {
        if (!socket.close()) {
            return;
        }
        for (OverlappedRecord r : records()) {
            r.close();
        }
        readSlot.signal();
        writeSlot.signal();
    }

    @Override
    public InetSocketAddress localAddress() throws IOException {
        ensureOpen();
        CarrierScratch s = CarrierScratch.get();
        s.length.set(JAVA_INT, 0, (int) s.address.byteSize());
        int code = call(h -> win32.getsockname(h, s.address, s.length) == 0 ? 0 : win32.lastError());
        if (code == WSAEINVAL) {
            return null; // "The socket has not been bound to an address with bind" (getsockname)
        }
        check("getsockname", code);
        InetSocketAddress a = SockAddrs.decode(s.address);
        return a.getPort() == 0 && a.getAddress().isAnyLocalAddress() ? null : a;
    }

    /**
     * Encodes {@code address} for this socket's family into {@code dst}.
     *
     * @return the sockaddr length
     */
    final int encode(InetSocketAddress address, MemorySegment dst) throws IOException {
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved()) {
            throw new UnknownHostException(address.getHostString());
        }
        if (family == AF_INET && address.getAddress() instanceof Inet6Address) {
            throw new SocketException("Protocol family unavailable: an IPv4 socket cannot use " + address.getAddress());
        }
        return SockAddrs.encode(address, family, dst);
    }

    /** Binds the socket (bind). */
    final void bindTo(InetSocketAddress local) throws IOException {
        CarrierScratch s = CarrierScratch.get();
        int length = encode(local, s.address);
        int code = call(h -> win32.bind(h, s.address, length) == 0 ? 0 : win32.lastError());
        if (code != 0) {
            throw Win32Error.bindException("bind", code);
        }
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return SocketOptions.SUPPORTED;
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        OptionValues.requireSettable(SocketOptions.SUPPORTED, option, value);
        ensureOpen();
        if (option == StandardSocketOptions.SO_REUSEADDR) {
            reuseAddress = (Boolean) value; // emulated, see SocketOptions
            return;
        }
        CarrierScratch s = CarrierScratch.get();
        SocketOptions.encode(option, value, s.value);
        int level = SocketOptions.level(option);
        int name = SocketOptions.name(option);
        check("setsockopt(" + option.name() + ")", call(h ->
                win32.setsockopt(h, level, name, s.value, SocketOptions.VALUE_LENGTH) == 0 ? 0 : win32.lastError()));
    }

    @Override
    public <T> T getOption(SocketOption<T> option) throws IOException {
        OptionValues.requireSupported(SocketOptions.SUPPORTED, option);
        ensureOpen();
        if (option == StandardSocketOptions.SO_REUSEADDR) {
            return option.type().cast(reuseAddress);
        }
        CarrierScratch s = CarrierScratch.get();
        s.value.fill((byte) 0);
        s.length.set(JAVA_INT, 0, SocketOptions.VALUE_LENGTH);
        int level = SocketOptions.level(option);
        int name = SocketOptions.name(option);
        check("getsockopt(" + option.name() + ")", call(h ->
                win32.getsockopt(h, level, name, s.value, s.length) == 0 ? 0 : win32.lastError()));
        return option.type().cast(SocketOptions.decode(option, s.value, s.length.get(JAVA_INT, 0)));
    }
}
