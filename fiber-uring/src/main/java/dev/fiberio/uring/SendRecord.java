package dev.fiberio.uring;

import static dev.fiberio.nativeio.ffi.LinuxConstants.MSG_WAITALL;
import static dev.fiberio.uring.ffi.UringConstants.IORING_OP_SEND;

import dev.fiberio.core.spi.WaitSlot;
import dev.fiberio.nativeio.NativeFd;
import dev.fiberio.nativeio.completion.OperationRecord;
import dev.fiberio.nativeio.ffi.Errno;
import dev.fiberio.net.spi.Deadlines;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The write record of a {@link UringSocket}, which can carry a <b>write-behind send</b>: the writer
 * copies its bytes into a buffer leased for this one send, submits it and returns without waiting; the
 * send then belongs to the operation until its final completion, and the reaper finishes it.
 *
 * <h2>Who owns what</h2>
 * <pre>
 * field                      written by                                 read by
 * behind (volatile)          the writer (USER), before started()        close (after seeing KERNEL), the reaper
 * lingering, abandoned       close; a shutdown (volatile)                the reaper
 * sending (volatile)         the writer (behind, notSubmitted); the      a shutdown ({@link #awaitSent}), the writer
 *                            reaper (final completion)
 * sentWaiter (volatile)      a shutdown (CAS null → its slot, then null)  the reaper, close (to wake it)
 * lease, position, end,      the writer before started(); then, while   the reaper; the next writer after DONE
 *   attempts                 KERNEL, the reaper ({@link #continues})
 * </pre>
 * The writer's writes reach the reaper through {@code started()} and the SQ tail's release store; the
 * reaper's reach the next writer through the DONE CAS of {@code complete}.
 *
 * <h2>The reaper's part</h2>
 * Each completion of a write-behind send goes to {@link #continues} before the record is completed. A
 * completion that moved all the bytes, or a final error, gives the lease back and lets the record
 * complete (the next writer sees the result; a failure becomes its exception). A partial send, or one that
 * ended with ECANCELED, EINTR or EAGAIN without being asked to (a thread that exited), is queued again
 * from where it stopped, under the same token, while the descriptor is open; the record stays KERNEL.
 * The lease is given back exactly once, at the final completion, after which the kernel no longer reads
 * it. On a closed socket nothing is queued again: the send ends with what it reached.
 *
 * <h2>Close</h2>
 * The bytes of a write-behind send were reported written, so close does not cancel it: the ring holds its
 * own reference to the file, and the FIN follows the send's bytes once it completes. A peer that does not
 * read must not keep the socket forever, though: close arms a linger timeout
 * ({@code fiberio.uring.closeLingerSeconds}) that cancels the send if it is still in flight, and the
 * reaper removes that timeout when the send ends first. (If the send ends while close is arming, the
 * removal can miss the timeout, which then stays in the kernel for the linger and cancels nothing.)
 */
final class SendRecord extends OperationRecord {
    /** MSG_NOSIGNAL: a send to a closed peer fails with EPIPE instead of raising SIGPIPE. */
    static final int MSG_NOSIGNAL = 0x4000;
    /** A write-behind send's flags: the kernel itself goes on after a partial send (stream sockets). */
    static final int BEHIND_FLAGS = MSG_NOSIGNAL | MSG_WAITALL;

    private static final VarHandle SENT_WAITER;

    static {
        try {
            SENT_WAITER = MethodHandles.lookup().findVarHandle(SendRecord.class, "sentWaiter", WaitSlot.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final NativeFd fd;
    private final Ring ring;
    /** The operation in flight (or last completed) is a write-behind send. */
    private volatile boolean behind;
    /** Close armed a linger timeout for the send in flight (the reaper removes it when the send is over). */
    private volatile boolean lingering;
    /** The send in flight was cancelled on purpose (a shutdown whose peer does not read): no attempt again. */
    private volatile boolean abandoned;
    /** A write-behind send is in flight: from {@link #behind} until its final completion or {@link #notSubmitted}. */
    private volatile boolean sending;
    /** The slot of the one shutdown waiting for the send in flight to end, or null (see {@link #awaitSent}). */
    private volatile WaitSlot sentWaiter;
    private MemorySegment lease;
    private int position;
    private int end;
    private int attempts;

    SendRecord(NativeFd fd, Ring ring) {
        super(MemorySegment.NULL);
        this.fd = fd;
        this.ring = ring;
    }

    /** The writer, before {@code started()}: the next operation is a write-behind send of {@code [0, n)} of {@code m}. */
    void behind(MemorySegment m, int n) {
        lease = m;
        position = 0;
        end = n;
        attempts = 0;
        abandoned = false;
        behind = true;
        sending = true;
    }

    /** Whether a write-behind send is in flight (volatile read). */
    boolean isSending() {
        return sending;
    }

    /** {@link #awaitSent}: no write-behind send is in flight. */
    static final int SENT = 0;
    /** {@link #awaitSent}: the send is still in flight (the deadline passed, or the socket was closed). */
    static final int STILL_SENDING = 1;
    /** {@link #awaitSent}: another shutdown already waits for the send; it will send the FIN after it. */
    static final int ANOTHER_WAITS = 2;

    /**
     * Waits until no write-behind send is in flight, {@code stop} says to stop (the socket was closed), or
     * {@code deadline} passed: a shutdown of output, which must not take the record from a writer. One
     * such waiter at a time: another finds the place taken and does not wait, and must then leave both the
     * send and the FIN to the first.
     *
     * @return {@link #SENT}, {@link #STILL_SENDING} or {@link #ANOTHER_WAITS}
     */
    int awaitSent(long deadline, java.util.function.BooleanSupplier stop) {
        if (!sending) {
            return SENT;
        }
        WaitSlot w = new WaitSlot();
        if (!SENT_WAITER.compareAndSet(this, null, w)) {
            return ANOTHER_WAITS;
        }
        try {
            // sentWaiter written (volatile) before sending is read; the reaper writes sending before it
            // reads sentWaiter: one of the two sees the other.
            while (sending && !stop.getAsBoolean() && !Deadlines.hasPassed(deadline)) {
                Deadlines.awaitOnce(w, deadline);
            }
            return sending ? STILL_SENDING : SENT;
        } finally {
            sentWaiter = null;
        }
    }

    /** Whether a shutdown waits in {@link #awaitSent} (for tests). */
    boolean shutdownWaits() {
        return sentWaiter != null;
    }

    /** Wakes a shutdown waiting in {@link #awaitSent} (the socket was closed). */
    void wakeSentWaiter() {
        WaitSlot w = sentWaiter;
        if (w != null) {
            w.signal();
        }
    }

    /**
     * The socket was closed with this write-behind send in flight: it may go on for the ring's close linger,
     * then it is cancelled. Close, or a writer whose start raced with close; either thread.
     */
    void lingerAfterClose() {
        lingering = true;
        ring.cancelAfterLinger(this);
    }

    /** Cancels the send in flight for good (a writer inside holds the record): no attempt is made again. */
    void abandon() {
        abandoned = true;
        ring.cancel(this);
    }

    /** The writer, before {@code started()}: the next operation is one it waits for (connect, vectored write). */
    void waited() {
        behind = false;
    }

    /** The address of the lease of the write-behind send in flight, or 0 (tests). */
    long leaseAddress() {
        MemorySegment m = lease;
        return m == null ? 0 : m.address();
    }

    /** Whether the operation in flight, or the last one, is a write-behind send (volatile read). */
    boolean isBehind() {
        return behind;
    }

    /**
     * The writer, when {@link #behind} was set but nothing was submitted after all: the lease goes back
     * to the caller, who gives it back.
     */
    MemorySegment notSubmitted() {
        MemorySegment m = lease;
        lease = null;
        behind = false;
        sending = false;
        wakeSentWaiter();
        return m;
    }

    /**
     * The reaper, for a completion of this record while it is KERNEL: whether a write-behind send goes on
     * (queued again; the record stays KERNEL and in flight). Otherwise the send is over: its lease goes
     * back and the record may complete.
     *
     * @param res the CQE's result: bytes sent, or -errno
     */
    boolean continues(int res) {
        if (!behind || lease == null) {
            return false;
        }
        if (res > 0) {
            position += res;
            if (position >= end) {
                return finished();
            }
        }
        if (abandoned || res <= 0 && !UringChannel.retryable(res == 0 ? Errno.EAGAIN : -res, ++attempts)) { // 0 bytes: try again, bounded
            return finished();
        }
        if (!fd.acquire()) {
            return finished(); // closed: the number may name another file by now
        }
        try {
            return ring.resubmit(this, IORING_OP_SEND, fd.fd, lease.address() + position, end - position, BEHIND_FLAGS)
                    || finished();
        } finally {
            fd.release();
        }
    }

    /** The send is over: the kernel no longer reads the lease, which goes back to the pool. */
    private boolean finished() {
        MemorySegment m = lease;
        lease = null;
        ring.buffers().giveBack(m);
        sending = false;
        wakeSentWaiter();
        if (lingering) {
            ring.lingerOver(this);
        }
        return false;
    }
}
