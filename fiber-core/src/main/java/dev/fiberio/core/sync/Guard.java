package dev.fiberio.core.sync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The short mutual exclusion this package's primitives take around their waiter queues: held for a
 * few field updates, never across a suspension, never reentrantly.
 *
 * <p>Why not a {@code ReentrantLock}: it records its owner through {@code Thread.currentThread()}, and
 * in fiber code C2 may reuse a value read before an earlier suspension on another carrier (see
 * docs/architecture.md). {@code lock()} and {@code unlock()} then disagree about the owner and
 * {@code unlock()} throws {@link IllegalMonitorStateException} — observed in
 * {@code ChannelTest.aMillionItemsCrossBetweenFibersInOrder} — and a contended {@code lock()} could
 * park one thread while registering another as the waiter. This guard asks nobody who they are:
 * one CAS takes it, one release store gives it back, a contender spins briefly and then yields.
 *
 * <pre>
 * held   0 → 1   lock()    CAS (acquire, full fence)
 *        1 → 0   unlock()  release store
 * </pre>
 */
final class Guard {
    private static final int SPINS_BEFORE_YIELD = 64;
    private static final VarHandle HELD;

    static {
        try {
            HELD = MethodHandles.lookup().findVarHandle(Guard.class, "held", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through HELD
    private volatile int held;

    /** Takes the guard, waiting (spinning, then yielding the thread) while another holds it. */
    void lock() {
        if (!HELD.compareAndSet(this, 0, 1)) {
            contended();
        }
    }

    private void contended() {
        for (int spins = 0; ; spins++) {
            if ((int) HELD.getVolatile(this) == 0 && HELD.compareAndSet(this, 0, 1)) {
                return;
            }
            if (spins < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                Thread.yield(); // the holder may have been descheduled: let it run
            }
        }
    }

    /** Gives the guard back; called by whoever took it, on whatever thread it now runs. */
    void unlock() {
        HELD.setRelease(this, 0);
    }

    /** Whether someone holds the guard (a snapshot, for tests). */
    boolean isHeld() {
        return (int) HELD.getVolatile(this) != 0;
    }
}
