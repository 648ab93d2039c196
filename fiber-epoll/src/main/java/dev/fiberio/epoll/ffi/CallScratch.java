package dev.fiberio.epoll.ffi;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * Per-thread native memory that {@link LibC} needs around a call, so that no call allocates.
 *
 * <p>Ownership and threads: one instance per thread that calls {@link LibC} (worker carriers,
 * poller threads), created lazily by that thread on its first call and used only by it, so every
 * access is plain. A {@code LibC} method never suspends a fiber: a fiber that calls it fills and
 * reads its carrier's scratch within one method, even if its next call runs on another carrier.
 *
 * <p>Memory: the segments come from one automatic arena per instance. They are freed by the
 * garbage collector once the instance is unreachable, which happens after its thread has
 * terminated (the thread's {@link ThreadLocal} map goes with it). A virtual thread calling {@code
 * LibC} gets its own instance, freed the same way.
 */
final class CallScratch {

    private static final MemoryLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<CallScratch> PER_THREAD = ThreadLocal.withInitial(CallScratch::new);

    /** The capture-state segment that downcalls linked with {@code captureCallState("errno")} fill. */
    final MemorySegment capture;
    /** One {@code struct epoll_event}, the argument of epoll_ctl. */
    final MemorySegment event;
    /** One int option value for setsockopt/getsockopt. */
    final MemorySegment intValue;
    /** One {@code socklen_t}, the in/out length of accept4, getsockname, getpeername and getsockopt. */
    final MemorySegment length;

    private CallScratch() {
        // Owner: this instance; freed by the GC after it is unreachable (see the class comment).
        Arena arena = Arena.ofAuto();
        capture = arena.allocate(CAPTURE_LAYOUT);
        event = arena.allocate(EpollEvent.LAYOUT);
        intValue = arena.allocate(JAVA_INT);
        length = arena.allocate(JAVA_INT);
    }

    /**
     * The calling thread's scratch.
     *
     * @return the instance owned by {@link Thread#currentThread()}
     */
    static CallScratch current() {
        return PER_THREAD.get();
    }

    /**
     * The errno saved by the last failed downcall on this thread.
     *
     * @return the errno value in {@link #capture}
     */
    int errno() {
        return (int) ERRNO.get(capture, 0L);
    }
}
