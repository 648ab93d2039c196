package dev.fiberio.epoll;

import dev.fiberio.core.spi.FiberSpi;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.spi.PollerThread;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A set of epoll instances and who polls them. A socket is assigned to one instance when it is
 * created (round-robin) and stays there; a listening socket lives in exactly one instance.
 *
 * <p>Two kinds, chosen by where a socket is created:
 * <ul>
 *   <li>In a fiber, with the default mode {@code workers}: the group of that fiber's scheduler, a
 *       {@linkplain FiberScheduler#service service} created on first use and closed with the scheduler.
 *       Its instances are {@linkplain FiberScheduler#attachPoller attached} to the scheduler: idle
 *       workers block in {@code epoll_wait} themselves instead of parking, and the fibers they resume go
 *       to their own run queues — no hand-off from a poller thread, and a busy event loop gathers many
 *       events per {@code epoll_wait}.</li>
 *   <li>Outside any fiber (a plain thread), or with {@code -Dfiberio.epoll.mode=threads}: the
 *       process-wide shared group, whose instances each have a dedicated daemon {@link PollerThread}.</li>
 * </ul>
 * Sizes: {@code fiberio.epoll.pollers} instances for the shared group (default {@code min(2, cpus)});
 * one per scheduler in workers mode (its idle workers take turns).
 */
final class EpollGroup implements AutoCloseable {
    private static final boolean WORKER_MODE =
            !"threads".equals(System.getProperty("fiberio.epoll.mode", "workers").toLowerCase(Locale.ROOT));
    private static final Object SERVICE_KEY = EpollGroup.class;
    private static volatile EpollGroup shared;

    private final EpollPoller[] pollers;
    private final List<PollerThread> threads = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();

    private EpollGroup(int count, FiberScheduler drivenBy) throws IOException {
        pollers = new EpollPoller[count];
        try {
            for (int i = 0; i < count; i++) {
                pollers[i] = new EpollPoller();
                if (drivenBy != null) {
                    FiberSpi.attachPoller(drivenBy, pollers[i]);
                } else {
                    threads.add(new PollerThread("fiberio-epoll-" + i, pollers[i])); // daemon
                }
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The group for a socket created now: the current fiber's scheduler's, or the shared one. */
    static EpollGroup current() {
        Fiber f = WORKER_MODE ? Fiber.current() : null;
        if (f == null) {
            return shared();
        }
        return FiberSpi.service(f.scheduler(), SERVICE_KEY, s -> {
            try {
                return new EpollGroup(1, s);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the epoll instance of scheduler " + s.name(), e);
            }
        });
    }

    /** The shared group with poller threads, created on first call. */
    static EpollGroup shared() {
        EpollGroup g = shared;
        if (g == null) {
            synchronized (EpollGroup.class) {
                g = shared;
                if (g == null) {
                    int n = Integer.getInteger("fiberio.epoll.pollers",
                            Math.min(2, Runtime.getRuntime().availableProcessors()));
                    try {
                        shared = g = new EpollGroup(Math.max(1, n), null);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot start the epoll pollers", e);
                    }
                }
            }
        }
        return g;
    }

    /** The instance for a new socket. */
    EpollPoller next() {
        return pollers[Math.floorMod(next.getAndIncrement(), pollers.length)];
    }

    /** Number of epoll instances. */
    int size() {
        return pollers.length;
    }

    /**
     * Closes the instances (a scheduler's group, when the scheduler closes after its workers stopped;
     * the shared group is never closed).
     */
    @Override
    public void close() {
        for (PollerThread t : threads) {
            t.close();
        }
        for (EpollPoller p : pollers) {
            if (p != null) {
                p.close();
            }
        }
    }
}
