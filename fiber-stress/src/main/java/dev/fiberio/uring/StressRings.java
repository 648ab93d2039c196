package dev.fiberio.uring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real rings for the jcstress tests of the io_uring backend, each with a provided-buffer ring of a single
 * buffer, so that a buffer never given back shows at once: the next buffer-select receive on that ring
 * finds none (ENOBUFS). A ring costs its own memory in the kernel (its queues, 8192 completions), so the
 * rings are pooled: at most {@link #MAX_RINGS} per test VM, taken by a state's constructor and given
 * back by its arbiter, healthy (nothing in flight, its buffer back), or else closed. The states that get
 * none run nothing and report "not run".
 */
final class StressRings {
    /** Rings per test VM. */
    static final int MAX_RINGS = 64;
    /** Bytes of the ring's one provided buffer. */
    static final int BUFFER_SIZE = 64;
    /** Why these tests cannot run here (no io_uring, or no provided-buffer rings), or null. */
    static final String UNAVAILABLE = unavailability();

    private static final Queue<Ring> FREE = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger MADE = new AtomicInteger();

    private StressRings() {
    }

    private static String unavailability() {
        UringFeatures f = UringFeatures.get();
        String why = f.cause != null ? "io_uring is unavailable on this machine: " + f.cause.getMessage()
                : f.providedBuffers ? null : "io_uring's provided-buffer rings are unavailable on this machine: "
                        + f.providedBuffersAbsent;
        if (why != null) {
            System.err.println("fiber-stress: the io_uring tests do not run: " + why); // shown on the test's page
        }
        return why;
    }

    /**
     * A ring with one provided buffer and nothing in flight but its wake-up read.
     *
     * @return the ring, or null if {@link #MAX_RINGS} are out
     */
    static Ring take() {
        Ring r = FREE.poll();
        if (r != null) {
            return r;
        }
        if (MADE.incrementAndGet() > MAX_RINGS) {
            MADE.decrementAndGet();
            return null;
        }
        try {
            return new Ring(UringFeatures.get(), null, -1, 1, BUFFER_SIZE);
        } catch (IOException e) {
            MADE.decrementAndGet();
            throw new UncheckedIOException(e);
        }
    }

    /** A pooled ring reaped by a poller thread of its own: for races whose callers wait for completions. */
    record Driven(Ring ring, dev.fiberio.core.spi.PollerThread poller) {
    }

    private static final Queue<Driven> FREE_DRIVEN = new ConcurrentLinkedQueue<>();

    /**
     * A ring as {@link #take()} makes, with a poller thread reaping it (counted against {@link #MAX_RINGS}).
     *
     * @return the ring and its poller, or null if {@link #MAX_RINGS} are out
     */
    static Driven takeDriven() {
        Driven d = FREE_DRIVEN.poll();
        if (d != null) {
            return d;
        }
        Ring r = take();
        return r == null ? null : new Driven(r, new dev.fiberio.core.spi.PollerThread("stress-ring", r));
    }

    /**
     * Gives a driven ring back after a state's arbiter.
     *
     * @param d       from {@link #takeDriven()}
     * @param healthy as for {@link #give}
     */
    static void giveDriven(Driven d, boolean healthy) {
        if (healthy) {
            FREE_DRIVEN.add(d);
        } else {
            d.poller().close();
            give(d.ring(), false);
        }
    }

    /**
     * Gives a ring back after a state's arbiter.
     *
     * @param r       a ring from {@link #take()}
     * @param healthy nothing of the state is in flight on it and its buffer is back: another state may use it
     */
    static void give(Ring r, boolean healthy) {
        if (healthy) {
            FREE.add(r);
        } else {
            r.close();
            MADE.decrementAndGet();
        }
    }
}
