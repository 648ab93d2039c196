package dev.fiberio.uring;

import dev.fiberio.core.spi.FiberSpi;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.spi.PollerThread;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A set of rings and who drives them; a socket is assigned to one ring when it is created and stays
 * there. A socket created in a fiber belongs to its scheduler's group, a
 * {@linkplain FiberScheduler#service service} with one ring per regular worker, each
 * {@linkplain FiberScheduler#attachPoller(dev.fiberio.core.spi.Poller, int) attached} as that worker's
 * own: the worker waits in {@code io_uring_enter} when idle (its next timer as the timeout) and reaps
 * without blocking every few dozen runs when busy, and a socket goes to the ring of the worker that
 * creates it. A socket created outside any fiber belongs to the process-wide group, whose rings each
 * have a {@link PollerThread}. Sizes: {@code fiberio.uring.rings} per scheduler (default: its worker
 * count; another count gives rings that any idle worker drives), {@code fiberio.uring.pollers} for the
 * shared group (default 1).
 */
final class UringGroup implements AutoCloseable {
    private static final Object SERVICE_KEY = UringGroup.class;
    private static volatile UringGroup shared;

    private final Ring[] rings;
    private final List<PollerThread> threads = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    /** Ring i is worker i's own (one ring per regular worker of the scheduler). */
    private final boolean perWorker;

    private UringGroup(int count, FiberScheduler drivenBy) throws IOException {
        rings = new Ring[count];
        perWorker = drivenBy != null && count == drivenBy.workerCount();
        try {
            for (int i = 0; i < count; i++) {
                rings[i] = new Ring(UringFeatures.get(), drivenBy, perWorker ? i : -1);
                if (drivenBy != null) {
                    if (perWorker) {
                        FiberSpi.attachPoller(drivenBy, rings[i], i);
                    } else {
                        FiberSpi.attachPoller(drivenBy, rings[i]);
                    }
                } else {
                    threads.add(new PollerThread("fiberio-uring-" + i, rings[i]));
                }
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The group for a socket created now: the current fiber's scheduler's, or the shared one. */
    static UringGroup current() {
        Fiber f = Fiber.current();
        if (f == null) {
            return shared();
        }
        return FiberSpi.service(f.scheduler(), SERVICE_KEY, s -> {
            try {
                return new UringGroup(Math.max(1, Integer.getInteger("fiberio.uring.rings", s.workerCount())), s);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the io_uring instance of scheduler " + s.name(), e);
            }
        });
    }

    /** The shared group with poller threads, created on first call. */
    static UringGroup shared() {
        UringGroup g = shared;
        if (g == null) {
            synchronized (UringGroup.class) {
                g = shared;
                if (g == null) {
                    try {
                        shared = g = new UringGroup(Math.max(1, Integer.getInteger("fiberio.uring.pollers", 1)), null);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot start the io_uring pollers", e);
                    }
                }
            }
        }
        return g;
    }

    /** The ring for a new socket: the calling worker's own if it has one, else the next in turn. */
    Ring next() {
        if (perWorker) {
            int w = FiberSpi.currentWorkerIndex();
            if (w >= 0 && w < rings.length) {
                return rings[w];
            }
        }
        return rings[Math.floorMod(next.getAndIncrement(), rings.length)];
    }

    /**
     * The ring for an accepted connection: the next in turn. Its fiber is not known yet (the acceptor
     * usually spawns one, which may start anywhere), and after its first completion it runs on the
     * worker of its ring anyway, where completions resume it.
     */
    Ring nextInTurn() {
        return rings[Math.floorMod(next.getAndIncrement(), rings.length)];
    }

    /** Closes the rings (a scheduler's group, after its workers stopped; the shared group is never closed). */
    @Override
    public void close() {
        for (PollerThread t : threads) {
            t.close();
        }
        for (Ring r : rings) {
            if (r != null) {
                r.close();
            }
        }
    }
}
