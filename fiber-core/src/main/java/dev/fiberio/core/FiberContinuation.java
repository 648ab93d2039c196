package dev.fiberio.core;

import dev.fiberio.core.spi.WaitSlot;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.EnumSet;
import java.util.Set;

import jdk.internal.vm.Continuation;
import jdk.internal.vm.ContinuationScope;

/**
 * The only class of fiberio that touches {@code jdk.internal.vm}: a continuation in the scope
 * {@code "fiber"}. A change of that internal API in a later JDK touches this file alone.
 *
 * <p>{@link #run()} (inherited) is the switch in; {@link #yieldFiber()} the switch out. A yield that the
 * JVM refuses (a native frame, a class initialiser or a critical section on the stack; a held monitor
 * where the JVM checks for one) returns its reason instead of suspending: the caller then waits
 * <em>pinned</em>, on its carrier (see {@link WaitSlot}).
 *
 * <h2>Held monitors</h2>
 * On JDK 25 with its default (lightweight) locking, the JVM freezes a custom-scope continuation that
 * holds a monitor: {@code onPinned} is not called and the monitor would migrate with the fiber, or be
 * re-entered by another fiber of the same carrier once inflated. Two detectors, chosen once
 * ({@link #monitorDetection()}):
 * <ul>
 *   <li>{@code JVM}: the JVM itself refuses the freeze with {@code MONITOR} (it does under
 *       {@code -XX:LockingMode=1} on JDK 25); free. Found by a probe continuation that yields inside
 *       {@code synchronized}.</li>
 *   <li>{@code WALK}: before each suspension, the fiber's frames are walked with the JDK's live stack
 *       walker and their locked monitors looked at; needs {@code --add-opens java.base/java.lang} and
 *       costs a stack walk per suspension (measured in fiber-bench's {@code MonitorCheckBenchmark}).</li>
 *   <li>{@code NONE}: neither is available, or {@code -Dfiberio.monitors=unchecked}: a suspension inside
 *       {@code synchronized} is not detected (logged once by the scheduler).</li>
 * </ul>
 */
final class FiberContinuation extends Continuation {
    private static final ContinuationScope SCOPE = new ContinuationScope("fiber");

    /** How held monitors are detected; see the class comment. */
    enum MonitorDetection { JVM, WALK, NONE }

    private final Fiber fiber;
    /** The reason of the last refused yield; plain: written by onPinned and read right after, same thread. */
    private Continuation.Pinned pinned;

    FiberContinuation(Fiber fiber, Runnable body) {
        super(SCOPE, body);
        this.fiber = fiber;
    }

    /** The fiber whose continuation is mounted on the calling thread, or null. */
    static Fiber mountedFiber() {
        return Continuation.getCurrentContinuation(SCOPE) instanceof FiberContinuation fc ? fc.fiber : null;
    }

    /**
     * Switches the current fiber out; returns when it is run again.
     *
     * @return null if the fiber suspended (and was resumed), or why it could not switch out
     */
    String yieldFiber() {
        if (Monitors.DETECTION == MonitorDetection.WALK && Monitors.held()) {
            return "MONITOR";
        }
        pinned = null;
        if (Continuation.yield(SCOPE)) {
            return null;
        }
        Continuation.Pinned p = pinned;
        pinned = null;
        return p == null ? "UNKNOWN" : p.name();
    }

    /** Stack of an unmounted (suspended) continuation; the caller guarantees it is not run meanwhile. */
    StackTraceElement[] stackTrace() {
        return getStackTrace();
    }

    @Override
    protected void onPinned(Continuation.Pinned reason) {
        pinned = reason; // yield(SCOPE) returns false; yieldFiber() reports the reason
    }

    /** The detector in use. */
    static MonitorDetection monitorDetection() {
        return Monitors.DETECTION;
    }

    /** Chooses the monitor detector once, lazily (the probe runs a continuation). */
    private static final class Monitors {
        static final MonitorDetection DETECTION;
        private static final StackWalker WALKER;
        private static final MethodHandle GET_MONITORS;

        static {
            String wanted = System.getProperty("fiberio.monitors", "auto");
            StackWalker walker = null;
            MethodHandle getMonitors = null;
            MonitorDetection d;
            if (wanted.equals("unchecked")) {
                d = MonitorDetection.NONE;
            } else if (!wanted.equals("walk") && jvmRefusesYieldInMonitor()) {
                d = MonitorDetection.JVM;
            } else {
                try {
                    Class<?> live = Class.forName("java.lang.LiveStackFrame");
                    Method gw = live.getMethod("getStackWalker", Set.class, ContinuationScope.class);
                    gw.setAccessible(true); // needs --add-opens java.base/java.lang
                    walker = (StackWalker) gw.invoke(null, EnumSet.noneOf(StackWalker.Option.class), SCOPE);
                    Method gm = live.getMethod("getMonitors");
                    gm.setAccessible(true);
                    getMonitors = MethodHandles.lookup().unreflect(gm)
                            .asType(MethodType.methodType(Object[].class, StackWalker.StackFrame.class));
                    d = MonitorDetection.WALK;
                } catch (ReflectiveOperationException | RuntimeException e) {
                    d = MonitorDetection.NONE;
                }
            }
            DETECTION = d;
            WALKER = walker;
            GET_MONITORS = getMonitors;
        }

        /**
         * {@link #walk()} through a method handle read from a non-final field, which C2 cannot treat as a
         * constant and so cannot inline: the walk runs in a compiled frame of its own that returns before
         * any suspension. Inlined into the waiting frame, which spans suspensions, the JDK's stack walker
         * reused a {@code Thread.currentThread()} read before a migration: it then walked (and missed the
         * monitors of) the wrong thread, or threw "Invalid thread walking this stack stream" (found by the
         * jcstress test PinnedWaitVsSignal).
         */
        @SuppressWarnings("FieldMayBeFinal")
        private static MethodHandle walkOutOfLine = walkHandle();
        /** Walks that failed and were answered "held" (the safe answer: the fiber then waits pinned). */
        static final java.util.concurrent.atomic.LongAdder WALK_FAILURES = new java.util.concurrent.atomic.LongAdder();

        /** Whether any frame of the mounted fiber holds a monitor (the fiber's frames only). */
        static boolean held() {
            try {
                return (boolean) walkOutOfLine.invokeExact();
            } catch (Throwable t) {
                WALK_FAILURES.increment();
                return true; // cannot tell: pinning is always safe, migrating with a monitor is not
            }
        }

        private static boolean walk() {
            return WALKER.walk(frames -> frames.anyMatch(Monitors::locksSomething));
        }

        private static MethodHandle walkHandle() {
            try {
                return MethodHandles.lookup().findStatic(Monitors.class, "walk", MethodType.methodType(boolean.class));
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private static boolean locksSomething(StackWalker.StackFrame f) {
            try {
                return ((Object[]) GET_MONITORS.invokeExact(f)).length > 0;
            } catch (Throwable t) {
                throw new IllegalStateException("cannot read the monitors of " + f, t);
            }
        }

        /** Yields inside {@code synchronized} in a probe continuation and reports whether the JVM refused. */
        private static boolean jvmRefusesYieldInMonitor() {
            Object lock = new Object();
            boolean[] refused = {false};
            Continuation probe = new Continuation(SCOPE, () -> {
                synchronized (lock) {
                    Continuation.yield(SCOPE);
                }
            }) {
                @Override
                protected void onPinned(Continuation.Pinned reason) {
                    refused[0] = reason == Continuation.Pinned.MONITOR;
                }
            };
            probe.run();
            while (!probe.isDone()) {
                probe.run(); // it yielded holding the monitor: finish it here, where it releases the monitor
            }
            return refused[0];
        }
    }
}
