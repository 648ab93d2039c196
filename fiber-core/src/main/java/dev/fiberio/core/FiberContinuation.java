package dev.fiberio.core;

import jdk.internal.vm.Continuation;
import jdk.internal.vm.ContinuationScope;

/**
 * The only class of fiberio that touches {@code jdk.internal.vm}: a continuation in the scope
 * {@code "fiber"}. A change of that internal API in a later JDK touches this file alone.
 *
 * <p>{@link #run()} (inherited) is the switch in; {@link #yieldFiber()} the switch out. A yield that the
 * JVM refuses (a native frame or a critical section on the stack) calls {@link #onPinned}, which we turn
 * into a {@link FiberPinnedException} thrown in the fiber, before anything was suspended.
 */
final class FiberContinuation extends Continuation {
    private static final ContinuationScope SCOPE = new ContinuationScope("fiber");

    private final Fiber fiber;

    FiberContinuation(Fiber fiber, Runnable body) {
        super(SCOPE, body);
        this.fiber = fiber;
    }

    /** The fiber whose continuation is mounted on the calling thread, or null. */
    static Fiber mountedFiber() {
        return Continuation.getCurrentContinuation(SCOPE) instanceof FiberContinuation fc ? fc.fiber : null;
    }

    /** Switches the current fiber out; returns when it is run again. */
    static void yieldFiber() {
        Continuation.yield(SCOPE);
    }

    /** Stack of an unmounted (suspended) continuation; the caller guarantees it is not run meanwhile. */
    StackTraceElement[] stackTrace() {
        return getStackTrace();
    }

    @Override
    protected void onPinned(Continuation.Pinned reason) {
        throw new FiberPinnedException("cannot suspend the fiber: it is pinned to its carrier ("
                + reason + "); fibers must not suspend inside native callbacks (FFM upcalls)"
                + " or class initialisers");
    }
}
