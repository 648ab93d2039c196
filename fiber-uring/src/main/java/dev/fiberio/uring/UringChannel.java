package dev.fiberio.uring;

import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_UNIX;
import static dev.fiberio.uring.ffi.UringConstants.ECANCELED;

import dev.fiberio.core.spi.CarrierLocal;
import dev.fiberio.core.spi.WaitSlot;
import dev.fiberio.nativeio.NativeFd;
import dev.fiberio.nativeio.completion.CompletionWait;
import dev.fiberio.nativeio.completion.OperationRecord;
import dev.fiberio.nativeio.ffi.Errno;
import dev.fiberio.nativeio.ffi.LibC;
import dev.fiberio.nativeio.ffi.SocketOptions;
import dev.fiberio.nativeio.ffi.SockAddr;
import dev.fiberio.net.spi.NetHandle;
import dev.fiberio.net.spi.SocketErrors;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What every io_uring socket shares: the descriptor's life cycle ({@link NativeFd}), the ring its
 * operations are submitted to, its {@link OperationRecord}s (one per direction, each with its wait slot,
 * and with native memory of its own or leased per operation), options and addresses.
 *
 * <p>An operation ({@link #run}) enters the descriptor's guard, marks the record KERNEL, queues the SQE
 * and leaves the guard, then waits through {@link CompletionWait}. Closing a socket does not end the
 * io_uring requests on it (the ring holds its own reference to the file), so {@link #close()} marks the
 * descriptor closed and then cancels every record with an operation in flight (a write-behind send is let
 * finish, bounded: {@link UringSocket}); before {@code close(2)} itself the ring hands the kernel every SQE
 * still queued ({@link Ring#handOverQueued}), which may name the number; an operation queued
 * concurrently sees the descriptor closed right after queuing and cancels itself (one of the two
 * always sees the other: both sides write, then read, with atomic read-modify-writes). A record is
 * released when the cancelled operation's completion is reaped, never before.
 */
abstract class UringChannel implements NetHandle, CompletionWait.Owner {
    /** Descriptors opened by this backend and not yet closed (for leak tests and diagnostics). */
    static final AtomicLong OPEN_FDS = new AtomicLong();
    /** Records not yet released, over every ring (tests: memory is given back after the completions). */
    static final AtomicLong LIVE_RECORDS = new AtomicLong();
    /** Attempts of one operation that may end without a result before that is its error ({@link #retryable}). */
    static final int ATTEMPTS = 64;
    /** A {@code sockaddr_storage} per carrier, for calls that do not suspend (bind, getsockname). */
    static final CarrierLocal<MemorySegment> ADDRESS_SCRATCH = new CarrierLocal<>(() -> SockAddr.allocate(Arena.ofAuto()));

    /** The descriptor-count decrement every channel's descriptor runs when it is closed (one object for all). */
    private static final Runnable FD_CLOSED = OPEN_FDS::decrementAndGet;

    final NativeFd fd;
    final int family;
    final Ring ring;
    private final long token;
    /** The release action of this channel's records ({@link #forget}); one per channel, not per record. */
    private final Consumer<OperationRecord> forget = this::forget;
    private volatile String closedBecause;
    private volatile boolean abortive;

    /** Takes ownership of {@code fd}; it belongs to {@code ring} from now on. */
    UringChannel(int fd, int family, Ring ring) throws IOException {
        OPEN_FDS.incrementAndGet();
        this.fd = new NativeFd(fd, ring::handOverQueued, FD_CLOSED);
        this.family = family;
        this.ring = ring;
        this.token = ring.channels.add(this);
        if (ring.isClosed()) {
            ring.channels.remove(token);
            this.fd.close();
            throw SocketErrors.socketClosed("its io_uring instance was closed (its scheduler shut down)");
        }
    }

    /** Every record of this channel (close cancels and closes them). */
    abstract OperationRecord[] records();

    /**
     * A record with {@code size} bytes of its own native memory, registered with the ring.
     *
     * @param size its memory
     */
    final OperationRecord newRecord(int size) {
        // Owner: the record (automatic arena). It stays reachable through the ring's table until it is
        // released, which happens only after the kernel is done with the memory (see OperationRecord).
        return register(new OperationRecord(Arena.ofAuto().allocate(size, 8)));
    }

    /**
     * A record without memory of its own, registered with the ring: its operations use memory leased from
     * the ring's {@link BufferPool} for one operation, or a provided buffer, or none.
     */
    final OperationRecord newRecord() {
        return register(new OperationRecord(MemorySegment.NULL));
    }

    /**
     * Registers a new record {@code r} with the ring, as {@link #newRecord(int)} does: when it is released,
     * {@link #released} runs, then the ring forgets it.
     */
    final <R extends OperationRecord> R register(R r) {
        long t = ring.records.add(r);
        LIVE_RECORDS.incrementAndGet();
        r.attach(new WaitSlot(), t, forget);
        return r;
    }

    /** The release action of every record of this channel. */
    private void forget(OperationRecord r) {
        try {
            released(r);
        } finally {
            ring.records.remove(r.token());
            LIVE_RECORDS.decrementAndGet();
        }
    }

    /**
     * What the channel gives back when its record {@code r} is released (once, on whichever thread
     * releases it: the socket is closed and neither a caller nor the kernel holds the record). Nothing by
     * default.
     *
     * @param r one of this channel's records
     */
    void released(OperationRecord r) {
    }

    /**
     * Starts one operation on {@code record} (held by the caller, no leftover) and waits for it.
     *
     * @return the completion
     * @throws IOException "Socket closed", or the timeout if the deadline aborted it
     */
    final OperationRecord.Completion run(OperationRecord record, int opcode, long addr, int len, long off, int opFlags,
                                         long deadline, Supplier<SocketTimeoutException> timeout) throws IOException {
        return run(record, opcode, 0, 0, addr, len, off, opFlags, deadline, timeout);
    }

    /** As {@link #run(OperationRecord, int, long, int, long, int, long, Supplier)}, with SQE flags and a buffer group. */
    final OperationRecord.Completion run(OperationRecord record, int opcode, int sqeFlags, int bufGroup, long addr,
                                         int len, long off, int opFlags, long deadline,
                                         Supplier<SocketTimeoutException> timeout) throws IOException {
        start(record, opcode, sqeFlags, bufGroup, addr, len, off, opFlags, 0);
        return CompletionWait.await(record, this, deadline, ECANCELED, timeout);
    }

    /**
     * Submits one operation on {@code record} (held by the caller, no leftover) without waiting for it.
     *
     * @throws SocketException "Socket closed" if nothing was submitted
     */
    final void start(OperationRecord record, int opcode, int sqeFlags, int bufGroup, long addr, int len, long off,
                     int opFlags, int ioprio) throws SocketException {
        if (!fd.acquire()) {
            throw closedException();
        }
        try {
            record.context(ring);
            record.started();
            if (!ring.submit(record, opcode, sqeFlags, fd.fd, addr, len, off, opFlags, ioprio, bufGroup)) {
                record.notStarted();
                throw closedException();
            }
        } finally {
            fd.release();
        }
        if (fd.isClosed()) {
            endInFlight(record); // close ran concurrently and may have looked before our KERNEL bit
        }
    }

    /**
     * What close does to an operation in flight on {@code r} (and a start that raced with close): cancels
     * it. A socket whose operation must outlive the close (a write-behind send) overrides this.
     */
    void endInFlight(OperationRecord r) {
        ring.cancel(r);
    }

    /** Whether close must end every operation at once (the ring closes, or SO_LINGER is 0). */
    final boolean abortive() {
        return abortive;
    }

    /** Makes the next close end every operation at once. */
    final void abortOnClose(boolean abort) {
        abortive = abort;
    }

    /** The completion an earlier, cancelled caller left on {@code record}, or null. */
    final OperationRecord.Completion leftover(OperationRecord record, long deadline,
                                              Supplier<SocketTimeoutException> timeout) throws IOException {
        return CompletionWait.collectLeftover(record, this, deadline, ECANCELED, timeout);
    }

    /**
     * Whether an operation that ended with {@code errno} on a socket still open is made again.
     * {@code ECANCELED} there was not asked for by this socket (a deadline's cancellation becomes the
     * timeout, a close "Socket closed"): the kernel cancels the requests of a thread that exits, so
     * another attempt from a live thread may succeed; but a request that keeps ending this way (or with
     * {@code EINTR}, {@code EAGAIN}) is reported as the error after {@link #ATTEMPTS} attempts instead of
     * being resubmitted in a loop.
     *
     * @param errno   the operation's error
     * @param attempt how many consecutive attempts ended without a result, this one included
     */
    static boolean retryable(int errno, int attempt) {
        return (errno == ECANCELED || errno == Errno.EINTR || errno == Errno.EAGAIN) && attempt < ATTEMPTS;
    }

    /** Takes a record for one caller, or throws "Socket closed". */
    final void acquire(OperationRecord record) throws SocketException {
        if (!record.acquire()) {
            throw closedException();
        }
    }

    @Override
    public final void cancel(OperationRecord record) {
        Object where = record.context();
        if (where instanceof Ring r) {
            r.cancel(record);
        }
    }

    @Override
    public final boolean isOpen() {
        return !fd.isClosed();
    }

    /**
     * Closes the channel for a reason its users see in their "Socket closed" exception, ending every
     * operation at once (the ring is closing).
     */
    final void closeBecause(String why) {
        closedBecause = why;
        abortive = true;
        close();
    }

    @Override
    public final SocketException closedException() {
        String why = closedBecause;
        return why == null ? SocketErrors.socketClosed() : SocketErrors.socketClosed(why);
    }

    @Override
    public void close() {
        if (!fd.close()) {
            return;
        }
        ring.channels.remove(token);
        for (OperationRecord r : records()) {
            if (r.pending()) {
                endInFlight(r);
            }
            r.close();
            r.slot().signal();
        }
    }

    @Override
    public SocketAddress localAddress() throws IOException {
        MemorySegment storage = ADDRESS_SCRATCH.get();
        if (family == AF_UNIX) {
            storage.fill((byte) 0); // the kernel writes only as much of sun_path as the name has
        }
        check("getsockname", withFd(() -> LibC.getsockname(fd.fd, storage)));
        return SockAddr.decodeBound(family, storage);
    }

    /**
     * Encodes {@code address} for this socket's family (IPv4 as IPv4-mapped on an IPv6 socket; a
     * {@link java.net.UnixDomainSocketAddress} on an {@code AF_UNIX} socket).
     */
    final int encode(SocketAddress address, MemorySegment storage) throws IOException {
        return SockAddr.encodeFor(family, address, storage);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return SocketOptions.ofStream(family);
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        SocketOptions.setStream(fd, family, this::closedException, option, value);
    }

    @Override
    public <T> T getOption(SocketOption<T> option) throws IOException {
        return SocketOptions.getStream(fd, family, this::closedException, option);
    }

    /** Runs a short system call on the open descriptor. */
    final int withFd(IntCall call) throws IOException {
        if (!fd.acquire()) {
            throw closedException();
        }
        try {
            return call.run();
        } finally {
            fd.release();
        }
    }

    static void check(String operation, int result) throws IOException {
        if (result < 0) {
            throw Errno.toException(operation, -result);
        }
    }

    /** A system call returning an int or -errno. */
    @FunctionalInterface
    interface IntCall {
        int run();
    }
}
