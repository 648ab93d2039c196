package dev.fiberio.iocp;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.fiberio.core.spi.WaitSlot;
import dev.fiberio.iocp.win32.Overlapped;
import dev.fiberio.iocp.win32.WsaBuf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * The native record of one direction of a socket (its read, its write or its accept operation):
 * an OVERLAPPED, the small out-parameters of the overlapped calls and the operation's own data
 * buffer, plus the ownership state that says who may touch that memory and who frees it.
 *
 * <h2>Native layout (one block, 8-aligned)</h2>
 * <pre>
 * offset  size      member
 * 0       32        OVERLAPPED (zeroed before each operation)
 * 32      4         DWORD count of a synchronous success (lpNumberOfBytesRecvd / Sent, lpdwBytesReceived)
 * 36      4         DWORD flags of WSARecv (in/out)
 * 40      16        one WSABUF (Winsock copies it during the call)
 * 56      capacity  data: the receive target, the send source, the AcceptEx output, the ConnectEx sockaddr
 * </pre>
 * The kernel writes the data asynchronously, so an operation never gets the caller's memory: a read
 * receives here and copies out, a write copies in and sends from here.
 *
 * <h2>Ownership rule (who may free the memory)</h2>
 * <pre>
 * bit       set by                                      cleared by
 * USER      a caller starting to use it ({@link #acquire}) that caller ({@link #release})
 * KERNEL    the caller, just before an overlapped call   the caller, when the call reported a synchronous result
 *           ({@link #started})                           ({@link #notStarted}); else the dispatcher, when the
 *                                                        completion was dequeued ({@link #complete})
 * DONE      the dispatcher, with the result ({@link #complete})  the caller consuming it ({@link #consume})
 * CLOSED    the socket's close ({@link #close})          never (the record is then released once)
 * </pre>
 * The memory is released (handed back to its pool, see {@link RecordPool}) exactly once: by the
 * transition that leaves {@code CLOSED} set with neither {@code USER} nor {@code KERNEL} — close
 * itself if the record is idle, the caller's {@link #release} if it was inside an operation, or the
 * dispatcher's {@link #complete} if the kernel still owned it. So memory the kernel may write (an
 * OVERLAPPED whose completion was not dequeued yet) is never freed or reused: after a close, a
 * timeout or a cancellation, the record waits for the aborted completion. Every transition is one
 * atomic read-modify-write of {@code state} (CAS, or getAndBitwiseOr/And where no condition is
 * needed); {@link #stateVolatile()} is the only plain-language read.
 *
 * <h2>Threads</h2>
 * One caller at a time holds {@code USER} (a socket has one reader and one writer); it alone starts
 * operations and reads the result. The dispatcher (a poller thread) writes {@code resultError} and
 * {@code resultBytes} (plain) before its CAS that sets {@code DONE}; the caller reads them after a
 * volatile read saw {@code DONE}. {@code slot} and {@code onRelease} are written by
 * {@link #attach} before the record is published to other threads (through the channel table).
 */
final class OperationRecord {
    /** Offset of the OVERLAPPED. */
    static final long OVERLAPPED = 0;
    private static final long SYNC_BYTES = 32;
    private static final long FLAGS = 36;
    private static final long WSABUF = 40;
    /** Offset of the data buffer. */
    static final long DATA = 56;

    static final int USER = 1;
    static final int KERNEL = 2;
    static final int DONE = 4;
    static final int CLOSED = 8;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(OperationRecord.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final MemorySegment memory;
    private final MemorySegment overlapped;
    private final MemorySegment syncBytes;
    private final MemorySegment flags;
    private final MemorySegment wsaBuf;
    private final MemorySegment data;

    @SuppressWarnings("unused")
    private volatile int state;
    private int resultError;
    private int resultBytes;
    private WaitSlot slot;
    private Consumer<OperationRecord> onRelease;

    /**
     * Allocates a record with {@code capacity} bytes of data buffer.
     *
     * @param capacity the data buffer size
     */
    OperationRecord(int capacity) {
        // Owner: this record. The automatic arena frees the block once the record is unreachable,
        // which happens only after its release (its pool dropped it, or the pool itself is gone):
        // the kernel is done with the memory by then (see the ownership rule above).
        memory = Arena.ofAuto().allocate(DATA + capacity, 8);
        overlapped = memory.asSlice(OVERLAPPED, Overlapped.LAYOUT.byteSize());
        syncBytes = memory.asSlice(SYNC_BYTES, 4);
        flags = memory.asSlice(FLAGS, 4);
        wsaBuf = memory.asSlice(WSABUF, WsaBuf.LAYOUT.byteSize());
        data = memory.asSlice(DATA, capacity);
    }

    /**
     * Gives a fresh or pooled record to a new owner: the state is reset, {@code slot} is woken by
     * completions and {@code onRelease} runs once when the record is released. Only while no other
     * thread can see the record.
     */
    void attach(WaitSlot wakes, Consumer<OperationRecord> releaseAction) {
        STATE.setVolatile(this, 0);
        resultError = 0;
        resultBytes = 0;
        slot = wakes;
        onRelease = releaseAction;
    }

    // ---- memory ----

    /** The OVERLAPPED (for the overlapped call and CancelIoEx). */
    MemorySegment overlapped() {
        return overlapped;
    }

    /** The raw address of the OVERLAPPED, as completion entries report it. */
    long overlappedAddress() {
        return overlapped.address();
    }

    /** The DWORD that receives the byte count of a synchronous success. */
    MemorySegment syncBytes() {
        return syncBytes;
    }

    /** Plain read of the synchronous byte count. */
    int syncBytesPlain() {
        return syncBytes.get(JAVA_INT, 0);
    }

    /** The flags DWORD of WSARecv. */
    MemorySegment flags() {
        return flags;
    }

    /** The one-entry WSABUF array. */
    MemorySegment wsaBuf() {
        return wsaBuf;
    }

    /** The data buffer. */
    MemorySegment data() {
        return data;
    }

    /** The data buffer's size. */
    int capacity() {
        return (int) data.byteSize();
    }

    /** The slot that completions of this record wake. */
    WaitSlot slot() {
        return slot;
    }

    /** Prepares the OVERLAPPED for a new operation (zeroed, as the doc page asks) and the WSABUF for {@code length} data bytes. */
    void prepare(int length) {
        Overlapped.clear(overlapped);
        syncBytes.set(JAVA_INT, 0, 0);
        flags.set(JAVA_INT, 0, 0);
        WsaBuf.set(wsaBuf, 0, data.asSlice(0, length));
    }

    // ---- ownership transitions ----

    /**
     * USER: a caller begins to use the record (one CAS).
     *
     * @return false if the record was closed
     * @throws IllegalStateException if another caller holds it
     */
    boolean acquire() {
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
    void release() {
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

    /** Sets KERNEL just before the overlapped call (getAndBitwiseOr; the caller holds USER, no result is pending). */
    void started() {
        int s = (int) STATE.getAndBitwiseOr(this, KERNEL);
        if ((s & (KERNEL | DONE)) != 0 || (s & USER) == 0) {
            STATE.getAndBitwiseAnd(this, ~KERNEL);
            throw new IllegalStateException("operation started on a busy record (state " + s + ")");
        }
    }

    /** Clears KERNEL after the call reported a synchronous result: no completion will be queued (getAndBitwiseAnd). */
    void notStarted() {
        STATE.getAndBitwiseAnd(this, ~KERNEL);
    }

    /**
     * The dispatcher's transition KERNEL→DONE with the result (one CAS), then the wake-up; releases
     * the memory if the socket was closed meanwhile and no caller holds the record.
     *
     * @param error  0, or the Winsock error of the failed operation
     * @param bytes  the byte count of the completion
     * @return false (and nothing changed) if no operation was pending: a stale completion
     */
    boolean complete(int error, int bytes) {
        for (;;) {
            int s = stateVolatile();
            if ((s & KERNEL) == 0) {
                return false;
            }
            resultError = error; // published by the CAS below
            resultBytes = bytes;
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

    /** Whether an operation is started and its completion not dispatched yet (volatile read). */
    boolean pending() {
        return (stateVolatile() & KERNEL) != 0;
    }

    /** Whether a dispatched result waits to be consumed (volatile read). */
    boolean hasResult() {
        return (stateVolatile() & DONE) != 0;
    }

    /**
     * Consumes the dispatched result (DONE cleared with getAndBitwiseAnd). Only by the caller holding
     * USER, after {@link #hasResult()} returned true.
     *
     * @return the result
     */
    Completion consume() {
        int error = resultError;
        int bytes = resultBytes;
        STATE.getAndBitwiseAnd(this, ~DONE);
        return new Completion(error, bytes);
    }

    /**
     * Sets CLOSED (getAndBitwiseOr); releases the memory now if neither a caller nor the kernel holds it.
     *
     * @return false if it was closed already
     */
    boolean close() {
        int s = (int) STATE.getAndBitwiseOr(this, CLOSED);
        if ((s & CLOSED) != 0) {
            return false;
        }
        if ((s & (USER | KERNEL)) == 0) {
            releaseMemory();
        }
        return true;
    }

    /** The ownership word, for diagnostics and tests (volatile read). */
    int stateVolatile() {
        return (int) STATE.getVolatile(this);
    }

    private void releaseMemory() {
        Consumer<OperationRecord> action = onRelease;
        onRelease = null;
        action.accept(this);
    }

    @Override
    public String toString() {
        int s = stateVolatile();
        return "OperationRecord[" + ((s & USER) != 0 ? "USER " : "") + ((s & KERNEL) != 0 ? "KERNEL " : "")
                + ((s & DONE) != 0 ? "DONE " : "") + ((s & CLOSED) != 0 ? "CLOSED" : "") + "]";
    }

    /**
     * The result of one overlapped operation.
     *
     * @param error 0 on success, else the Winsock error code
     * @param bytes the bytes transferred
     */
    record Completion(int error, int bytes) {
        /** Whether the operation succeeded. */
        boolean succeeded() {
            return error == 0;
        }
    }
}
