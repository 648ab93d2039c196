package dev.fiberio.iocp.win32;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.fiberio.core.spi.CarrierLocal;
import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * The per-carrier segments that downcalls linked with {@link Linker.Option#captureCallState} write
 * the error state into, and the {@link Win32#lastError()} read of them.
 *
 * <p>Implementation overview: every carrier (worker thread, poller thread, other thread) that makes
 * a call gets one {@link PerThread} from a {@link CarrierLocal} — not a {@code ThreadLocal}: inside a
 * fiber the JIT may reuse a {@code Thread.currentThread()} value read before a suspension after the
 * fiber migrated, and two carriers would then share one capture segment. It holds a segment of the
 * capture layout, allocated once per carrier from {@link Arena#ofAuto()}: its owner is that
 * {@code PerThread}, and the GC frees it after the carrier has ended or this {@code CallState} became
 * unreachable. So a call allocates nothing. Only the owning carrier reads or writes a
 * {@code PerThread}, between two suspensions of any fiber on it; its fields are plain.
 * Before each call the caller picks, with {@link #segmentFor}, which captured value
 * ({@code GetLastError} or {@code WSAGetLastError}) the next {@link #lastError()} on this thread reads.
 */
final class CallState {

    private final StructLayout layout;
    private final long win32ErrorOffset;
    private final long wsaErrorOffset;
    private final CarrierLocal<PerThread> perThread = new CarrierLocal<>(this::newPerThread);

    /**
     * @param layout the capture-state layout the downcalls were linked with
     * @param win32ErrorName its member holding GetLastError
     * @param wsaErrorName its member holding WSAGetLastError
     */
    CallState(StructLayout layout, String win32ErrorName, String wsaErrorName) {
        this.layout = layout;
        this.win32ErrorOffset = layout.byteOffset(groupElement(win32ErrorName));
        this.wsaErrorOffset = layout.byteOffset(groupElement(wsaErrorName));
    }

    /** The Windows capture state: {@code GetLastError} and {@code WSAGetLastError}. Windows only. */
    static CallState windows() {
        return new CallState(Linker.Option.captureStateLayout(), Win32Linker.GET_LAST_ERROR, Win32Linker.WSA_GET_LAST_ERROR);
    }

    /**
     * This thread's capture segment, to pass as the first argument of {@code function}'s downcall;
     * afterwards {@link #lastError()} reads the error that function reports through.
     */
    MemorySegment segmentFor(Win32Function function) {
        PerThread state = perThread.get();
        state.errorOffset = function.reportsWsaError() ? wsaErrorOffset : win32ErrorOffset;
        return state.segment;
    }

    /** The error captured by this thread's last call (plain read of this thread's own segment). */
    int lastError() {
        PerThread state = perThread.get();
        return state.segment.get(JAVA_INT, state.errorOffset);
    }

    private PerThread newPerThread() {
        // Owner: the PerThread of the calling thread; freed by the GC with it (Arena.ofAuto).
        return new PerThread(Arena.ofAuto().allocate(layout), win32ErrorOffset);
    }

    /** One thread's capture segment and the offset of the error its last call reports. */
    private static final class PerThread {
        final MemorySegment segment;
        long errorOffset;

        PerThread(MemorySegment segment, long errorOffset) {
            this.segment = segment;
            this.errorOffset = errorOffset;
        }
    }
}
