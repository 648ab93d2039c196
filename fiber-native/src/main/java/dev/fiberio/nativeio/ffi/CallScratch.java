package dev.fiberio.nativeio.ffi;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.fiberio.core.spi.CarrierLocal;
import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * Per-carrier native memory that {@link LibC} needs around a call, so that no call allocates.
 *
 * <p>Ownership and threads: one instance per carrier (worker thread, poller thread, any other
 * thread that calls {@link LibC}), found through {@link CarrierLocal}, created lazily on the first
 * call and used only by that carrier, so every access is plain. A {@code LibC} method never suspends,
 * so a fiber fills and reads its carrier's scratch within one call. It is NOT found through a
 * {@code ThreadLocal}: inside a fiber, the JIT may reuse a {@code Thread.currentThread()} value read
 * before a suspension after the fiber migrated, and the fiber would then share the old carrier's
 * scratch with that carrier (wrong errno values).
 *
 * <p>Memory: the segments come from one automatic arena per instance, freed by the garbage
 * collector once the instance is unreachable, after its worker or thread has terminated.
 */
public final class CallScratch {

    private static final MemoryLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final CarrierLocal<CallScratch> PER_CARRIER = new CarrierLocal<>(CallScratch::new);

    /** The capture-state segment that downcalls linked with {@code captureCallState("errno")} fill. */
    final MemorySegment capture;

    /**
     * The capture-state segment to pass as the first argument of a handle from {@link LibC#link}.
     *
     * @return this carrier's capture segment
     */
    public MemorySegment capture() {
        return capture;
    }
    /** One int option value for setsockopt/getsockopt. */
    final MemorySegment intValue;
    /** One {@code socklen_t}, the in/out length of accept4, getsockname, getpeername and getsockopt. */
    final MemorySegment length;

    private CallScratch() {
        // Owner: this instance; freed by the GC after it is unreachable (see the class comment).
        Arena arena = Arena.ofAuto();
        capture = arena.allocate(CAPTURE_LAYOUT);
        intValue = arena.allocate(JAVA_INT);
        length = arena.allocate(JAVA_INT);
    }

    /**
     * The calling carrier's scratch.
     *
     * @return the instance owned by the current carrier
     */
    public static CallScratch current() {
        return PER_CARRIER.get();
    }

    /**
     * The errno saved by the last failed downcall on this thread.
     *
     * @return the errno value in {@link #capture}
     */
    public int errno() {
        return (int) ERRNO.get(capture, 0L);
    }
}
