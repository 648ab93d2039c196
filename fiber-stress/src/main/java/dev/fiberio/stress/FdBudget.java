package dev.fiberio.stress;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps the descriptors the jcstress tests of the I/O backends hold at once. jcstress keeps a whole epoch of states
 * alive (256 × 40 by default); one real descriptor per state would need over ten thousand, more than
 * many machines allow. So only {@link #MAX_LIVE} states at a time get their descriptors (taken in the
 * state's constructor, given back by its arbiter); the others run nothing and report "not run".
 */
public final class FdBudget {
    /** States holding descriptors at once, per test VM. */
    public static final int MAX_LIVE = 256;
    private static final AtomicInteger LIVE = new AtomicInteger();

    private FdBudget() {
    }

    /**
     * Takes a slot if one is free.
     *
     * @return whether the caller may open its descriptors (and must {@link #release()} later)
     */
    public static boolean tryTake() {
        for (;;) {
            int n = LIVE.get();
            if (n >= MAX_LIVE) {
                return false;
            }
            if (LIVE.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Gives a slot back, after the descriptors were closed. */
    public static void release() {
        LIVE.decrementAndGet();
    }
}
