package dev.fiberio.uring;

import dev.fiberio.core.spi.FiberSpi;
import static dev.fiberio.uring.ffi.UringConstants.ECANCELED;
import static dev.fiberio.uring.ffi.UringConstants.ETIME;
import static dev.fiberio.uring.ffi.UringConstants.IORING_ASYNC_CANCEL_ALL;
import static dev.fiberio.uring.ffi.UringConstants.IORING_CQE_F_MORE;
import static dev.fiberio.uring.ffi.UringConstants.IORING_ENTER_EXT_ARG;
import static dev.fiberio.uring.ffi.UringConstants.IORING_ENTER_GETEVENTS;
import static dev.fiberio.uring.ffi.UringConstants.IORING_OP_ASYNC_CANCEL;
import static dev.fiberio.uring.ffi.UringConstants.IORING_OP_READ;
import static dev.fiberio.uring.ffi.UringConstants.IORING_OP_TIMEOUT;
import static dev.fiberio.uring.ffi.UringConstants.IORING_OP_TIMEOUT_REMOVE;
import static dev.fiberio.uring.ffi.UringConstants.IORING_SQ_CQ_OVERFLOW;
import static dev.fiberio.uring.ffi.UringConstants.IOSQE_CQE_SKIP_SUCCESS;
import static dev.fiberio.uring.ffi.UringLayouts.CQE_FLAGS;
import static dev.fiberio.uring.ffi.UringLayouts.CQE_RES;
import static dev.fiberio.uring.ffi.UringLayouts.CQE_SIZE;
import static dev.fiberio.uring.ffi.UringLayouts.CQE_USER_DATA;
import static dev.fiberio.uring.ffi.UringLayouts.SQE_ADDR;
import static dev.fiberio.uring.ffi.UringLayouts.SQE_BUF_GROUP;
import static dev.fiberio.uring.ffi.UringLayouts.SQE_FD;
import static dev.fiberio.uring.ffi.UringLayouts.SQE_FLAGS;
import static dev.fiberio.uring.ffi.UringLayouts.SQE_IOPRIO;
import static dev.fiberio.uring.ffi.UringLayouts.SQE_LEN;
import static dev.fiberio.uring.ffi.UringLayouts.SQE_OFF;
import static dev.fiberio.uring.ffi.UringLayouts.SQE_OPCODE;
import static dev.fiberio.uring.ffi.UringLayouts.SQE_OP_FLAGS;
import static dev.fiberio.uring.ffi.UringLayouts.SQE_SIZE;
import static dev.fiberio.uring.ffi.UringLayouts.SQE_USER_DATA;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.fiberio.core.spi.Poller;
import dev.fiberio.nativeio.NativeFd;
import dev.fiberio.nativeio.TokenTable;
import dev.fiberio.nativeio.completion.OperationRecord;
import dev.fiberio.nativeio.ffi.Errno;
import dev.fiberio.nativeio.ffi.LibC;
import dev.fiberio.nativeio.ffi.LinuxConstants;
import dev.fiberio.nativeio.ffi.SockAddr;
import dev.fiberio.uring.ffi.LibUring;
import dev.fiberio.uring.ffi.UringLayouts;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One io_uring instance: the submission and completion rings mapped into this process, the table
 * that maps each completion's {@code user_data} back to its {@link OperationRecord}, and the
 * {@link Poller} side that reaps completions.
 *
 * <h2>Rings and memory order</h2>
 * As io_uring(7) and the kernel's header describe: the application owns the SQ tail and the CQ head,
 * the kernel the SQ head and the CQ tail. SQEs are written, then the SQ tail is published with a
 * release store; the CQ tail is read with an acquire load before the CQEs it covers, and the CQ head
 * is published with a release store after they were read. The SQ index array is the identity,
 * written once at setup.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li><b>Submission</b>: any thread, under a short owner-less spin lock ({@code sqLock}) that covers
 *       only the SQE writes and the tail store (never a system call or a suspension). The submission is
 *       then flushed ({@code io_uring_enter} with {@code to_submit}, exactly the number queued) by the
 *       submitter itself, unless {@code deferred}: a fiber running on the worker that drives this ring
 *       (its own worker; or any worker of the scheduler for a ring shared by its idle workers) leaves it
 *       for the ring's next poll (the worker's blocking poll when idle, or its poll every few dozen
 *       runs), which submits everything pending in the same system call that reaps. A submitter that finds a poll
 *       blocked in the kernel ({@code polling}) flushes itself: that poll would not see the new SQE.</li>
 *   <li><b>Reaping</b>: one thread at a time, the one in {@link #poll} (a worker holding the ring, or its
 *       poller thread). Completions go to {@link OperationRecord#complete}, which signals the waiter.</li>
 *   <li><b>Wake-up</b>: a read of an eventfd is kept in flight under {@link #WAKE}; {@link #wakeup()} is
 *       sticky ({@code wakePending}) and writes the eventfd only when a poll may be blocked.</li>
 * </ul>
 * {@code user_data}: a record's token (generation and index, never below 2^32), {@link #WAKE} for the
 * eventfd read, {@link #CANCEL} for cancel requests (posted only when they fail), a token tagged
 * {@link #LINGER} for a closed socket's linger timeout; a completion whose
 * token names no live record, or a record with nothing in flight, is stale and dropped.
 *
 * <h2>Close</h2>
 * {@link #close()} closes every socket of this ring (their operations are cancelled, and so are the
 * write-behind sends of sockets closed before, which would otherwise linger), reaps until no
 * operation is in flight (bounded), frees the free buffers of its {@link BufferPool}, then unmaps the rings
 * and closes the descriptor. Records still in flight then (a kernel that never completed them) are kept
 * reachable forever, and their leased buffers never freed.
 */
final class Ring implements Poller {
    private static final Logger LOG = LoggerFactory.getLogger(Ring.class);
    static final long WAKE = 1;
    static final long CANCEL = 2;
    /**
     * Tags the {@code user_data} of a linger timeout: the record's token with bit 31 set, which no token has
     * (its low word is an array index).
     */
    static final long LINGER = 1L << 31;
    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final VarHandle SQ_LOCK;
    private static final VarHandle WAKE_PENDING;
    private static final VarHandle CLOSED;
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** {@link #handOverQueued}'s bound on submissions the kernel refuses for the moment. */
    private static final int HAND_OVER_ATTEMPTS = 64;
    /**
     * How long a socket closed with a write-behind send in flight lets that send go on (a peer that
     * reads slowly) before it is cancelled (a peer that never reads must not keep the socket forever):
     * {@code fiberio.uring.closeLingerSeconds}, default 60.
     */
    static final long CLOSE_LINGER_NANOS = TimeUnit.SECONDS.toNanos(Long.getLong("fiberio.uring.closeLingerSeconds", 60));
    /** Records the kernel never gave back before their ring closed: never freed. */
    private static final List<OperationRecord> STRANDED = new CopyOnWriteArrayList<>();
    private static final List<MemorySegment> STRANDED_MEMORY = new CopyOnWriteArrayList<>();
    private static final List<BufferRing> STRANDED_BUFFER_RINGS = new CopyOnWriteArrayList<>();
    /** Stale completions dropped by every ring. */
    static final LongAdder ALL_STALE = new LongAdder();
    /** io_uring_enter calls that reap or wait (not plain flushes), for tests and diagnostics. */
    final LongAdder enters = new LongAdder();

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SQ_LOCK = l.findVarHandle(Ring.class, "sqLock", int.class);
            WAKE_PENDING = l.findVarHandle(Ring.class, "wakePending", boolean.class);
            CLOSED = l.findVarHandle(Ring.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final TokenTable<OperationRecord> records = new TokenTable<>();
    final TokenTable<UringChannel> channels = new TokenTable<>();
    final AtomicInteger inFlight = new AtomicInteger();
    final boolean deferred;
    private final UringFeatures features;
    private final NativeFd ringFd;
    private final NativeFd wakeFd;
    private final RingMemory mem;
    /** The ring's provided buffers for receives, or null (not supported, or switched off). */
    private final BufferRing bufferRing;
    /** Buffers its sockets lease for one operation (sends, connects, receives the buffer ring could not serve). */
    private final BufferPool buffers;
    private final MemorySegment waitArg;   // the polling thread's
    private final MemorySegment timespec;  // the polling thread's
    private final MemorySegment wakeBuffer; // the kernel's while the wake read is in flight
    private final MemorySegment one;
    /** The relative timespec of {@link #cancelAfterLinger}; the kernel reads it when it takes the SQE. */
    private final MemorySegment lingerSpec;
    private volatile long closeLingerNanos;
    private final dev.fiberio.core.FiberScheduler drivenBy;
    /** The worker of {@code drivenBy} whose own ring this is, or -1 if any of its idle workers drives it. */
    private final int homeWorker;
    private int sqTail;  // under sqLock
    private int cqHead;  // the polling thread's
    private boolean wakeArmed; // the polling thread's (and the constructor's): the eventfd read is in flight
    /** The result of the last io_uring_enter that reaped or waited, {@link #NO_ENTER} if a poll made none; the polling thread's. */
    int lastEnterResult = NO_ENTER;
    static final int NO_ENTER = Integer.MIN_VALUE;
    /** How long {@link #close()} reaps for operations still in flight. */
    long drainNanos = DRAIN_NANOS;
    @SuppressWarnings("unused")
    private volatile int sqLock;
    private volatile boolean polling;
    @SuppressWarnings("unused")
    private volatile boolean wakePending;
    @SuppressWarnings("unused")
    private volatile boolean closed;

    /**
     * Creates a ring.
     *
     * @param features what the kernel offers (probed once)
     * @param drivenBy   the scheduler whose workers poll it (submissions from its fibers are deferred), or null
     * @param homeWorker the worker of {@code drivenBy} that alone drives it, or -1
     */
    Ring(UringFeatures features, dev.fiberio.core.FiberScheduler drivenBy, int homeWorker) throws IOException {
        this(features, drivenBy, homeWorker, features.providedBuffers ? BufferRing.DEFAULT_ENTRIES : 0,
                BufferRing.DEFAULT_MAX, BufferRing.DEFAULT_SIZE, BufferPool.MAX_IDLE);
    }

    /**
     * Creates a ring with a provided-buffer ring of {@code bufferEntries} buffers of {@code bufferSize}
     * bytes, or none if {@code bufferEntries} is 0 (receives then lease a buffer of the pool each).
     */
    Ring(UringFeatures features, dev.fiberio.core.FiberScheduler drivenBy, int homeWorker, int bufferEntries,
         int bufferSize) throws IOException {
        this(features, drivenBy, homeWorker, bufferEntries, bufferSize, BufferPool.MAX_IDLE);
    }

    /**
     * As {@link #Ring(UringFeatures, dev.fiberio.core.FiberScheduler, int, int, int)}, keeping {@code poolMax}
     * free buffers; the provided-buffer ring does not grow.
     */
    Ring(UringFeatures features, dev.fiberio.core.FiberScheduler drivenBy, int homeWorker, int bufferEntries,
         int bufferSize, int poolMax) throws IOException {
        this(features, drivenBy, homeWorker, bufferEntries, bufferEntries, bufferSize, poolMax);
    }

    /**
     * A ring whose provided-buffer ring starts with {@code bufferEntries} buffers and may grow to
     * {@code bufferMax} (a power of two; see {@link BufferRing}).
     */
    Ring(UringFeatures features, dev.fiberio.core.FiberScheduler drivenBy, int homeWorker, int bufferEntries,
         int bufferMax, int bufferSize, int poolMax) throws IOException {
        this.features = features;
        this.buffers = new BufferPool(Math.max(UringSocket.BUFFER_SIZE, SockAddr.STORAGE_SIZE), poolMax);
        this.drivenBy = drivenBy;
        this.homeWorker = homeWorker;
        this.deferred = drivenBy != null && UringFeatures.DEFER_SUBMIT;
        this.mem = RingMemory.create(features);
        int ev = LibC.eventfd(0, LinuxConstants.EFD_NONBLOCK | LinuxConstants.EFD_CLOEXEC);
        if (ev < 0) {
            mem.free();
            throw Errno.toException("eventfd", -ev);
        }
        wakeFd = new NativeFd(ev, () -> { });
        BufferRing provided = null;
        if (bufferEntries > 0) {
            try {
                provided = BufferRing.register(mem.fd, bufferEntries, bufferMax, bufferSize);
            } catch (IOException | RuntimeException e) {
                LibC.close(ev);
                mem.free();
                throw e;
            }
        }
        bufferRing = provided;
        ringFd = new NativeFd(mem.fd, this::released);
        // Owner: this ring (automatic arena): freed by the GC once the ring is unreachable, which is after
        // its close reaped the wake read (or the ring descriptor was closed, ending it).
        Arena arena = Arena.ofAuto();
        waitArg = arena.allocate(UringLayouts.GETEVENTS_ARG);
        timespec = arena.allocate(UringLayouts.KERNEL_TIMESPEC);
        wakeBuffer = arena.allocate(8);
        one = arena.allocate(8);
        one.set(JAVA_LONG, 0, 1L);
        lingerSpec = arena.allocate(UringLayouts.KERNEL_TIMESPEC);
        closeLinger(CLOSE_LINGER_NANOS);
        armWakeRead();
    }

    // ------------------------------------------------------------------ submission

    /**
     * Queues one SQE for {@code record}'s operation and counts it in flight. The caller set the record
     * KERNEL ({@link OperationRecord#started}) and its context to this ring.
     *
     * @return false if the ring is closed (nothing was queued)
     */
    boolean submit(OperationRecord record, int opcode, int fd, long addr, int len, long off, int opFlags, int ioprio) {
        return submit(record, opcode, 0, fd, addr, len, off, opFlags, ioprio, 0);
    }

    /** As {@link #submit(OperationRecord, int, int, long, int, long, int, int)}, with SQE flags and a buffer group. */
    boolean submit(OperationRecord record, int opcode, int sqeFlags, int fd, long addr, int len, long off, int opFlags,
                   int ioprio, int bufGroup) {
        inFlight.incrementAndGet();
        if (!queue(opcode, sqeFlags, fd, addr, len, off, opFlags, ioprio, bufGroup, record.token(), false)) {
            inFlight.decrementAndGet();
            return false;
        }
        return true;
    }

    /**
     * Asks the kernel to cancel {@code record}'s operation (every request with its token); flushed at
     * once. Its own completion is posted only if it fails (not found: the operation completed already).
     */
    void cancel(OperationRecord record) {
        queue(IORING_OP_ASYNC_CANCEL, IOSQE_CQE_SKIP_SUCCESS, -1, record.token(), 0, 0, IORING_ASYNC_CANCEL_ALL, 0, 0,
                CANCEL, true);
    }

    private void armWakeRead() {
        wakeArmed = true;
        queue(IORING_OP_READ, 0, wakeFd.fd, wakeBuffer.address(), 8, 0, 0, 0, 0, WAKE, false);
    }

    /** Writes one SQE and publishes it, then flushes unless deferred. False if the ring is closed. */
    private boolean queue(int opcode, int sqeFlags, int fd, long addr, int len, long off, int opFlags, int ioprio,
                          int bufGroup, long userData, boolean flushNow) {
        if (!ringFd.acquire()) {
            return false;
        }
        try {
            for (;;) {
                lock();
                int head = (int) INT.getAcquire(mem.sqHead, 0L);
                if (sqTail - head < mem.sqEntries) {
                    MemorySegment sqe = mem.sqes.asSlice((long) (sqTail & mem.sqMask) * SQE_SIZE, SQE_SIZE);
                    sqe.fill((byte) 0);
                    sqe.set(JAVA_BYTE, SQE_OPCODE, (byte) opcode);
                    sqe.set(JAVA_BYTE, SQE_FLAGS, (byte) sqeFlags);
                    sqe.set(JAVA_SHORT, SQE_IOPRIO, (short) ioprio);
                    sqe.set(JAVA_INT, SQE_FD, fd);
                    sqe.set(JAVA_LONG, SQE_OFF, off);
                    sqe.set(JAVA_LONG, SQE_ADDR, addr);
                    sqe.set(JAVA_INT, SQE_LEN, len);
                    sqe.set(JAVA_INT, SQE_OP_FLAGS, opFlags);
                    sqe.set(JAVA_LONG, SQE_USER_DATA, userData);
                    sqe.set(JAVA_SHORT, SQE_BUF_GROUP, (short) bufGroup);
                    sqTail++;
                    INT.setRelease(mem.sqTail, 0L, sqTail); // the SQE before the tail that covers it
                    unlock();
                    break;
                }
                unlock();
                flush(); // full: let the kernel take what is queued, then retry
            }
            // The tail store before the read of polling (a Dekker pair with poll(), which writes polling
            // before io_uring_enter reads the tail): a full fence orders the store before the load.
            VarHandle.fullFence();
            if (flushNow || !deferred || polling || !fromDrivingScheduler()) {
                flush();
            }
            return true;
        } finally {
            ringFd.release();
        }
    }

    /**
     * Cancels {@code record}'s operation if it is still in flight after the close linger
     * ({@link #closeLinger}): a timeout whose {@code user_data} is the record's token tagged {@link #LINGER};
     * when it expires the reaper cancels the record's operation if it is still the one in flight. Submitted
     * with the ring's next flush. The timespec is read when the kernel takes the SQE.
     */
    void cancelAfterLinger(OperationRecord record) {
        queue(IORING_OP_TIMEOUT, 0, -1, lingerSpec.address(), 1, 0, 0, 0, 0, record.token() | LINGER, false);
    }

    /**
     * Removes the linger timeout of {@code record} (its operation is over), so that a closed socket's timeout
     * does not stay in the kernel for the whole linger; a removal that finds none (it expired, or was not
     * queued yet) posts a completion tagged {@link #CANCEL}, which is dropped.
     */
    void lingerOver(OperationRecord record) {
        queue(IORING_OP_TIMEOUT_REMOVE, IOSQE_CQE_SKIP_SUCCESS, -1, record.token() | LINGER, 0, 0, 0, 0, 0, CANCEL,
                false);
    }

    /**
     * How long a closed socket's write-behind send may take before it is cancelled ({@link #cancelAfterLinger}),
     * and a shutdown of output waits for one ({@code CLOSE_LINGER_NANOS} unless a test sets it).
     */
    void closeLinger(long nanos) {
        closeLingerNanos = nanos;
        lingerSpec.set(JAVA_LONG, 0, nanos / 1_000_000_000L);
        lingerSpec.set(JAVA_LONG, 8, nanos % 1_000_000_000L);
    }

    /** The close linger ({@link #closeLinger}). */
    long closeLingerNanos() {
        return closeLingerNanos;
    }

    /**
     * Hands the kernel every SQE queued so far, before a descriptor they may name is closed (see
     * {@link NativeFd#NativeFd(int, Runnable, Runnable)}): the kernel takes its reference to the file when
     * it takes the SQE. Retries a submission the kernel refused for the moment (EBUSY, EAGAIN), a bounded
     * number of times. Any thread.
     */
    void handOverQueued() {
        if (!ringFd.acquire()) {
            return; // the ring was closed: its SQEs are never taken
        }
        try {
            int upTo = (int) INT.getVolatile(mem.sqTail, 0L);
            for (int attempt = 0; attempt < HAND_OVER_ATTEMPTS && upTo - (int) INT.getAcquire(mem.sqHead, 0L) > 0; attempt++) {
                flush();
            }
        } finally {
            ringFd.release();
        }
    }

    /**
     * Queues the next part of a send whose request ended early (a partial send, or an error worth another
     * attempt) under the same token, while its record stays KERNEL: the operation goes on, nothing was
     * completed. The reaper only. False if the ring is closed.
     */
    boolean resubmit(OperationRecord record, int opcode, int fd, long addr, int len, int opFlags) {
        return queue(opcode, 0, fd, addr, len, 0, opFlags, 0, 0, record.token(), false);
    }

    /**
     * Whether the caller's submission may wait for this ring's next poll: it runs on the worker that
     * polls this ring (its own worker), or, for a ring any idle worker drives, on one of the scheduler's
     * workers. A fiber that migrated to another worker flushes itself, since the ring's worker may be
     * busy for long.
     */
    private boolean fromDrivingScheduler() {
        dev.fiberio.core.Fiber f = dev.fiberio.core.Fiber.current();
        if (f == null || f.scheduler() != drivenBy) {
            return false;
        }
        return homeWorker < 0 || FiberSpi.currentWorkerIndex() == homeWorker;
    }

    /** Submits whatever is queued, without waiting; no system call if nothing is. */
    private void flush() {
        int pending = sqUnsubmitted();
        if (pending == 0) {
            return;
        }
        int r = LibUring.enter(mem.fd, pending, 0, 0, MemorySegment.NULL, 0);
        if (r < 0 && -r != Errno.EINTR && -r != Errno.EAGAIN && -r != dev.fiberio.uring.ffi.UringConstants.EBUSY) {
            LOG.warn("io_uring_enter(submit) failed: {}", Errno.name(-r));
        }
    }

    private void lock() {
        while (!SQ_LOCK.compareAndSet(this, 0, 1)) {
            Thread.onSpinWait();
        }
    }

    private void unlock() {
        SQ_LOCK.setRelease(this, 0);
    }

    private boolean sqPending() {
        return sqUnsubmitted() != 0;
    }

    /**
     * SQEs published but not yet taken by the kernel. io_uring_enter must be given exactly this many:
     * when it submits fewer than {@code to_submit} it returns at once and skips the wait that
     * {@code IORING_ENTER_GETEVENTS} asked for. A concurrent flush can make the count too large, which
     * costs one early return of a poll, nothing else.
     */
    private int sqUnsubmitted() {
        return (int) INT.getVolatile(mem.sqTail, 0L) - (int) INT.getAcquire(mem.sqHead, 0L);
    }

    // ------------------------------------------------------------------ reaping

    @Override
    public int poll(long timeoutNanos) throws IOException {
        if (!ringFd.acquire()) {
            return -1;
        }
        lastEnterResult = NO_ENTER;
        try {
            int n = reap();
            boolean overflow = ((int) INT.getAcquire(mem.sqFlags, 0L) & IORING_SQ_CQ_OVERFLOW) != 0;
            if (n > 0 || timeoutNanos == 0) {
                if (sqPending() || overflow) {
                    enter(0, 0);
                    n += reap();
                }
                return n;
            }
            polling = true; // volatile write, then the read-modify-write of wakePending: pairs with wakeup()
            // The poll consumes the wake-up it sees; a wake-up that came while nobody polled wrote no
            // eventfd, so only this clears it (the WAKE completion clears nothing: it may belong to an
            // earlier wake-up, and clearing then would lose a later one).
            boolean wake = (boolean) WAKE_PENDING.getAndSet(this, false);
            try {
                if (!wake) {
                    enter(1, timeoutNanos);
                } else if (sqPending() || overflow) {
                    enter(0, 0);
                }
            } finally {
                polling = false;
            }
            return reap();
        } finally {
            ringFd.release();
        }
    }

    /** io_uring_enter: submit what is queued and wait for {@code min} completions, at most {@code timeoutNanos} (negative: no bound). */
    private void enter(int min, long timeoutNanos) throws IOException {
        int flags = IORING_ENTER_GETEVENTS;
        MemorySegment arg = MemorySegment.NULL;
        long argSize = 0;
        if (min > 0 && timeoutNanos > 0) {
            timespec.set(JAVA_LONG, 0, timeoutNanos / 1_000_000_000L);
            timespec.set(JAVA_LONG, 8, timeoutNanos % 1_000_000_000L);
            waitArg.fill((byte) 0);
            waitArg.set(JAVA_LONG, 16, timespec.address());
            flags |= IORING_ENTER_EXT_ARG;
            arg = waitArg;
            argSize = waitArg.byteSize();
        }
        int r = LibUring.enter(mem.fd, sqUnsubmitted(), min, flags, arg, argSize);
        enters.increment();
        lastEnterResult = r;
        if (r < 0) {
            int e = -r;
            if (e != ETIME && e != Errno.EINTR && e != Errno.EAGAIN && e != dev.fiberio.uring.ffi.UringConstants.EBUSY) {
                throw Errno.toException("io_uring_enter", e);
            }
        }
    }

    /** Reads every CQE the kernel published and dispatches it. The polling thread only. */
    private int reap() {
        int tail = (int) INT.getAcquire(mem.cqTail, 0L);
        int head = cqHead;
        int dispatched = 0;
        boolean woken = false;
        while (head != tail) {
            long at = (long) (head & mem.cqMask) * CQE_SIZE;
            long userData = mem.cqes.get(JAVA_LONG, at + CQE_USER_DATA);
            int res = mem.cqes.get(JAVA_INT, at + CQE_RES);
            int flags = mem.cqes.get(JAVA_INT, at + CQE_FLAGS);
            head++;
            if (userData == WAKE) {
                woken = true;
                wakeArmed = false;
            } else if ((userData & LINGER) != 0) {
                lingerExpired(userData & ~LINGER, res);
            } else if (userData != CANCEL && dispatch(userData, res, flags)) {
                dispatched++;
            }
            if (head == tail) {
                INT.setRelease(mem.cqHead, 0L, head); // the CQEs were read before their slots are given back
                tail = (int) INT.getAcquire(mem.cqTail, 0L);
            }
        }
        cqHead = head;
        if (woken) {
            if (!(boolean) CLOSED.getVolatile(this)) {
                armWakeRead();
            }
        }
        return dispatched;
    }

    /**
     * A linger timeout's completion: if it expired (rather than being removed) and the record's operation is
     * still in flight, that operation is cancelled; its completion then ends it as usual.
     */
    private void lingerExpired(long token, int res) {
        if (res == -ETIME) {
            OperationRecord record = records.lookup(token);
            if (record != null && record.pending()) {
                cancel(record);
            }
        }
    }

    /** One completion to its record; false if stale. */
    private boolean dispatch(long token, int res, int flags) {
        OperationRecord record = records.lookup(token);
        if (record instanceof MultishotRecord m && (flags & IORING_CQE_F_MORE) != 0) {
            // One of several completions of a request that stays armed: not the end of the operation.
            m.more(res < 0 ? -res : 0, Math.max(res, 0), flags);
            return true;
        }
        if (record instanceof SendRecord send && record.pending() && send.continues(res)) {
            return true; // a write-behind send goes on from where the kernel stopped; still in flight
        }
        if (record == null || !record.complete(res < 0 ? -res : 0, Math.max(res, 0), flags)) {
            ALL_STALE.increment();
            return false;
        }
        inFlight.decrementAndGet();
        return true;
    }

    // ------------------------------------------------------------------ wake-up and close

    /**
     * Sticky: sets {@code wakePending} (one CAS), which the next poll sees before it blocks, and writes the
     * eventfd only if a poll may be blocked now (the in-flight read of it then completes).
     */
    @Override
    public void wakeup() {
        if (WAKE_PENDING.compareAndSet(this, false, true) && polling) {
            writeWakeFd();
        }
    }

    private void writeWakeFd() {
        if (wakeFd.acquire()) {
            try {
                LibC.write(wakeFd.fd, one, 8);
            } finally {
                wakeFd.release();
            }
        }
    }

    /** Queues a no-op whose completion carries {@code userData} (tests: stale and duplicate completions). */
    boolean queueNop(long userData) {
        return queue(dev.fiberio.uring.ffi.UringConstants.IORING_OP_NOP, 0, -1, 0, 0, 0, 0, 0, 0, userData, true);
    }

    /** Whether a poll is blocked in the kernel, or about to be (tests order a wake-up after it). */
    boolean isPolling() {
        return polling;
    }

    /** Whether a wake-up waits to be consumed by the next poll. */
    boolean wakePending() {
        return wakePending;
    }

    /** Records the kernel never gave back before their ring closed (tests). */
    static List<OperationRecord> stranded() {
        return List.copyOf(STRANDED);
    }

    /** Whether {@link #close()} was called. */
    boolean isClosed() {
        return closed;
    }

    /**
     * Closes every socket of the ring, reaps until their cancelled operations completed (at most 2 s),
     * then releases the ring. Called when nobody polls it any more (its scheduler's workers stopped, or
     * its poller thread ended); idempotent.
     */
    @Override
    public void close() {
        if (!CLOSED.compareAndSet(this, false, true)) {
            return;
        }
        writeWakeFd(); // a poll blocked right now returns
        for (UringChannel ch : channels.live()) {
            ch.closeBecause("its io_uring instance was closed (its scheduler shut down)");
        }
        for (OperationRecord r : records.live()) {
            if (r.pending()) {
                cancel(r); // a closed socket's write-behind send, lingering: the ring's close ends it now
            }
        }
        long end = System.nanoTime() + drainNanos;
        try {
            while ((inFlight.get() > 0 || wakeArmed) && end - System.nanoTime() > 0) {
                if (poll(TimeUnit.MILLISECONDS.toNanos(10)) < 0) {
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("reaping the cancelled operations of a closing io_uring instance failed", e);
        }
        if (inFlight.get() > 0 || wakeArmed) {
            STRANDED_MEMORY.add(wakeBuffer);
            List<OperationRecord> left = records.live();
            STRANDED.addAll(left);
            if (bufferRing != null) {
                STRANDED_BUFFER_RINGS.add(bufferRing); // a receive in flight may still pick and fill a buffer
            }
            LOG.warn("{} io_uring operations did not complete before their ring closed; their memory is kept", left.size());
        } else if (bufferRing != null) {
            bufferRing.close(mem.fd); // the kernel is done with it: no receive is in flight
        }
        buffers.close(); // the free ones; a buffer still leased is freed when it comes back, a stranded one never
        ringFd.close();
    }

    /** After the ring descriptor's last user left: unmaps the rings and closes the eventfd. */
    private void released() {
        mem.unmap();
        wakeFd.close();
    }

    /** The ring's provided buffers, or null if receives use each socket's own buffer. */
    BufferRing bufferRing() {
        return bufferRing;
    }

    /** The buffers its sockets lease for one operation. */
    BufferPool buffers() {
        return buffers;
    }

    /** The kernel's features for this ring. */
    UringFeatures features() {
        return features;
    }

    @Override
    public String toString() {
        return "Ring[fd=" + mem.fd + (homeWorker >= 0 ? ", worker=" + homeWorker : "") + ", inFlight=" + inFlight.get()
                + (bufferRing != null ? ", " + bufferRing : "") + ", " + buffers + (closed ? ", closed" : "") + "]";
    }
}
