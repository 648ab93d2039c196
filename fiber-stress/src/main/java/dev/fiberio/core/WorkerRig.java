package dev.fiberio.core;

import dev.fiberio.core.spi.Poller;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Access to the worker fields that jcstress tests set up and read, shared by every test that plays a
 * worker: the park state, the poller it blocks in, the run the watchdog sees, a fiber's last carrier.
 * The tests drive real {@link Worker}s of a {@linkplain FiberScheduler#unstarted scheduler whose threads
 * never start} (or of a manual one) through their non-blocking steps, and read the fields here.
 */
final class WorkerRig {
    static final int RUNNING = 0;
    static final int PARKED = 1;
    static final int POLLING = 2;
    static final int DORMANT = 3;

    private static final VarHandle PARK_STATE;
    private static final VarHandle POLLING_ON;
    private static final VarHandle CURRENT;
    private static final VarHandle RUN_START;
    private static final VarHandle CARRIER;

    static {
        try {
            MethodHandles.Lookup w = MethodHandles.privateLookupIn(Worker.class, MethodHandles.lookup());
            PARK_STATE = w.findVarHandle(Worker.class, "parkState", int.class);
            POLLING_ON = w.findVarHandle(Worker.class, "pollingOn", Poller.class);
            CURRENT = w.findVarHandle(Worker.class, "current", Fiber.class);
            RUN_START = w.findVarHandle(Worker.class, "runStart", long.class);
            MethodHandles.Lookup f = MethodHandles.privateLookupIn(Fiber.class, MethodHandles.lookup());
            CARRIER = f.findVarHandle(Fiber.class, "carrier", Worker.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private WorkerRig() {
    }

    static int parkState(Worker w) {
        return (int) PARK_STATE.getVolatile(w);
    }

    static void setParkState(Worker w, int state) {
        PARK_STATE.setVolatile(w, state);
    }

    static boolean casParkState(Worker w, int expect, int update) {
        return PARK_STATE.compareAndSet(w, expect, update);
    }

    static void setPollingOn(Worker w, Poller p) {
        POLLING_ON.set(w, p);
    }

    /** Makes {@code w} look, to the watchdog, as if it had been running {@code f} since {@code startNanos}. */
    static void running(Worker w, Fiber f, long startNanos) {
        RUN_START.setRelease(w, startNanos);
        CURRENT.setRelease(w, f);
    }

    /** Makes {@code w} the worker {@code f} ran on last (a resume then targets it). */
    static void lastRanOn(Fiber f, Worker w) {
        CARRIER.setVolatile(f, w);
    }

    /** A fiber that is never run: queues and carriers do not look at it. */
    static Fiber inertFiber(String name) {
        return new Fiber(FiberScheduler.manual("jcstress-inert", x -> { }), name, () -> { });
    }

    /** Where {@code f} is queued: 1 in {@code spare}'s run queue, 2 in the overflow queue, 3 in {@code regular}'s, 0 nowhere. */
    static int whereQueued(FiberScheduler s, Worker regular, Worker spare, Fiber f) {
        int where = 0;
        for (Fiber g; (g = spare.queue.poll()) != null; ) {
            where = g == f ? 1 : where;
        }
        for (Fiber g; (g = s.pollOverflow()) != null; ) {
            where = g == f ? 2 : where;
        }
        for (Fiber g; (g = regular.queue.poll()) != null; ) {
            where = g == f ? 3 : where;
        }
        return where;
    }
}
