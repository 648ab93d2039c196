package dev.fiberio.nativeio.completion;

import dev.fiberio.core.spi.WaitSlot;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * One operation slot of a completion-based backend (io_uring, IOCP): native memory the kernel may
 * write while an operation is in flight, and the ownership word that says who may touch that memory
 * and who frees it.
 *
 * <h2>Ownership rule</h2>
 * <pre>
 * bit       set by                                          cleared by
 * USER      a caller starting to use it ({@link #acquire})   that caller ({@link #release})
 * KERNEL    the caller, just before the submission           the caller if nothing was submitted after all
 *           ({@link #started})                               ({@link #notStarted}); else the reaper, when the
 *                                                            completion was reaped ({@link #complete})
 * DONE      the reaper, with the result ({@link #complete})   the caller consuming it ({@link #consume})
 * CLOSED    the socket's close ({@link #close})               never (the record is then released once)
 * </pre>
 * The memory is released (the release action runs: back to a pool, or dropped) exactly once, by the
 * transition that leaves {@code CLOSED} set with neither {@code USER} nor {@code KERNEL}: close itself
 * if the record is idle, the caller's {@link #release} if it was inside an operation, or the reaper's
 * {@link #complete} if the kernel still owned it. Memory the kernel may still write is therefore never
 * freed or reused: after a close, a timeout or a cancellation, the record waits for the completion of
 * the operation it cancelled. Every transition is one atomic read-modify-write of {@code state}.
 *
 * <h2>Threads</h2>
 * One caller at a time holds {@code USER} (a socket has one reader and one writer); it alone starts
 * operations and consumes results. The reaper (whoever reaps the completion queue) writes the result
 * fields (plain) before its CAS that sets {@code DONE}; the caller reads them after a volatile read saw
 * {@code DONE}. {@code slot}, {@code onRelease} and {@code token} are written by {@link #attach} before
 * the record is published to other threads; {@code context} is written by the caller before
 * {@link #started} and read by a canceller that saw {@code KERNEL}.
 */
public class OperationRecord {
    /** A caller uses the record. */
    public static final int USER = 1;
    /** The kernel owns the memory: an operation was submitted and its completion not reaped. */
    public static final int KERNEL = 2;
    /** A reaped result waits to be consumed. */
    public static final int DONE = 4;
    /** The owning socket was closed. */
    public static final int CLOSED = 8;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(OperationRecord.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final MemorySegment memory;
    @SuppressWarnings("unused")
    private volatile int state;
    private int resultError;
    private int resultValue;
    private int resultFlags;
    private WaitSlot slot;
    private Consumer<OperationRecord> onRelease;
    private long token;
    private volatile Object context;

    /**
     * @param memory the native memory the kernel may write during an operation; owned by this record
     *               (its allocator must keep it alive while the record is reachable)
     */
    public OperationRecord(MemorySegment memory) {
        this.memory = memory;
    }

    /**
     * Gives a fresh or pooled record to a new owner: the state is reset, completions wake {@code wakes},
     * and {@code releaseAction} runs once when the record is released. Only while no other thread can
     * see the record.
     *
     * @param wakes         the slot completions signal
     * @param token         the identity completions carry back (user_data, completion key), or 0
     * @param releaseAction runs once, on release
     */
    public void attach(WaitSlot wakes, long token, Consumer<OperationRecord> releaseAction) {
        STATE.setVolatile(this, 0);
        resultError = 0;
        resultValue = 0;
        resultFlags = 0;
        slot = wakes;
        this.token = token;
        onRelease = releaseAction;
        context = null;
    }

    /** The record's native memory. */
    public final MemorySegment memory() {
        return memory;
    }

    /** The slot completions of this record wake. */
    public final WaitSlot slot() {
        return slot;
    }

    /** The token given at {@link #attach}. */
    public final long token() {
        return token;
    }

    /**
     * Where the operation in flight was submitted (the ring or port a cancellation must go to); written
     * by the caller before {@link #started}.
     *
     * @return the context, or null
     */
    public final Object context() {
        return context;
    }

    /**
     * Records where the next operation is submitted.
     *
     * @param where the ring or port
     */
    public final void context(Object where) {
        context = where;
    }

    // ---- ownership transitions ----

    /**
     * USER: a caller begins to use the record (one CAS).
     *
     * @return false if the record was closed
     * @throws IllegalStateException if another caller holds it
     */
    public final boolean acquire() {
        for (;;) {
            int s = stateVolatile();
            if ((s & CLOSED) != 0) {
                return false;
            }
            if ((s & USER) != 0) {
                throw new IllegalStateException("a second concurrent caller on one direction of a socket");
            }
            if (STATE.compareAndSet(this, s, s | USER)) {
                return true;
            }
        }
    }

    /** Clears USER (one CAS); releases the memory if the record is closed and the kernel is done with it. */
    public final void release() {
        for (;;) {
            int s = stateVolatile();
            int next = s & ~USER;
            if (STATE.compareAndSet(this, s, next)) {
                if ((next & (CLOSED | KERNEL)) == CLOSED) {
                    releaseMemory();
                }
                return;
            }
        }
    }

    /**
     * Sets KERNEL just before the submission (the caller holds USER, no result is pending).
     *
     * @throws IllegalStateException if an operation is in flight or a result is unconsumed
     */
    public final void started() {
        int s = (int) STATE.getAndBitwiseOr(this, KERNEL);
        if ((s & (KERNEL | DONE)) != 0 || (s & USER) == 0) {
            if ((s & KERNEL) == 0) {
                STATE.getAndBitwiseAnd(this, ~KERNEL); // undo only our own bit: an operation in flight keeps it
            }
            throw new IllegalStateException("operation started on a busy record (state " + s + ")");
        }
    }

    /** Clears KERNEL when nothing was submitted after all (or it finished synchronously, queuing nothing). */
    public final void notStarted() {
        STATE.getAndBitwiseAnd(this, ~KERNEL);
    }

    /**
     * The reaper's transition KERNEL→DONE with the result (one CAS), then the wake-up; releases the
     * memory if the socket was closed meanwhile and no caller holds the record.
     *
     * @param error 0, or the error of the failed operation (an errno, a Winsock code)
     * @param value the operation's value (bytes transferred, an accepted descriptor)
     * @param flags backend flags of the completion (io_uring CQE flags), else 0
     * @return false (and nothing changed) if no operation was in flight: a stale completion
     */
    public final boolean complete(int error, int value, int flags) {
        for (;;) {
            int s = stateVolatile();
            if ((s & KERNEL) == 0) {
                return false;
            }
            resultError = error; // published by the CAS below
            resultValue = value;
            resultFlags = flags;
            // Read before the CAS: once DONE is visible the owner may consume, release and re-attach the
            // record to another socket, and a read after the CAS would wake that socket's slot.
            WaitSlot wakes = slot;
            int next = (s & ~KERNEL) | DONE;
            if (STATE.compareAndSet(this, s, next)) {
                if ((next & (CLOSED | USER)) == CLOSED) {
                    releaseMemory();
                }
                wakes.signal();
                return true;
            }
        }
    }

    /** Whether an operation is in flight (volatile read). */
    public final boolean pending() {
        return (stateVolatile() & KERNEL) != 0;
    }

    /** Whether a reaped result waits to be consumed (volatile read). */
    public final boolean hasResult() {
        return (stateVolatile() & DONE) != 0;
    }

    /**
     * Consumes the reaped result (DONE cleared). Only by the caller holding USER, after
     * {@link #hasResult()} returned true.
     *
     * @return the result
     */
    public final Completion consume() {
        Completion c = new Completion(resultError, resultValue, resultFlags);
        STATE.getAndBitwiseAnd(this, ~DONE);
        return c;
    }

    /**
     * Sets CLOSED; releases the memory now if neither a caller nor the kernel holds it.
     *
     * @return false if it was closed already
     */
    public final boolean close() {
        int s = (int) STATE.getAndBitwiseOr(this, CLOSED);
        if ((s & CLOSED) != 0) {
            return false;
        }
        if ((s & (USER | KERNEL)) == 0) {
            releaseMemory();
        }
        return true;
    }

    /** The ownership word (volatile read), for diagnostics and tests. */
    public final int stateVolatile() {
        return (int) STATE.getVolatile(this);
    }

    private void releaseMemory() {
        Consumer<OperationRecord> action = onRelease;
        onRelease = null;
        if (action != null) {
            action.accept(this);
        }
    }

    @Override
    public String toString() {
        int s = stateVolatile();
        return getClass().getSimpleName() + "[" + ((s & USER) != 0 ? "USER " : "") + ((s & KERNEL) != 0 ? "KERNEL " : "")
                + ((s & DONE) != 0 ? "DONE " : "") + ((s & CLOSED) != 0 ? "CLOSED" : "") + "]";
    }

    /**
     * The result of one operation.
     *
     * @param error 0 on success, else the backend's error code
     * @param value bytes transferred, or an accepted descriptor
     * @param flags backend completion flags
     */
    public record Completion(int error, int value, int flags) {
        /** Whether the operation succeeded. */
        public boolean succeeded() {
            return error == 0;
        }
    }
}
