package dev.fiberio.epoll;

import dev.fiberio.core.spi.PollerThread;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The process-wide set of epoll instances, each driven by its own daemon {@link PollerThread}.
 * New sockets are spread over them round-robin; a socket stays on its instance for life, and a
 * listening socket lives in exactly one instance (no thundering herd).
 *
 * <p>Size: system property {@code fiberio.epoll.pollers}, default {@code min(2, processors)}.
 * Created on first use; its threads are daemons that live as long as the JVM.
 */
final class EpollGroup {
    private static volatile EpollGroup shared;

    private final EpollPoller[] pollers;
    private final AtomicInteger next = new AtomicInteger();

    private EpollGroup(int count) throws IOException {
        pollers = new EpollPoller[count];
        for (int i = 0; i < count; i++) {
            pollers[i] = new EpollPoller();
            new PollerThread("fiberio-epoll-" + i, pollers[i]); // daemon; runs until the JVM exits
        }
    }

    /** The shared group, created on first call. */
    static EpollGroup shared() {
        EpollGroup g = shared;
        if (g == null) {
            synchronized (EpollGroup.class) {
                g = shared;
                if (g == null) {
                    int n = Integer.getInteger("fiberio.epoll.pollers",
                            Math.min(2, Runtime.getRuntime().availableProcessors()));
                    try {
                        shared = g = new EpollGroup(Math.max(1, n));
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

    /** Events the instances dropped as stale (for a socket closed after the kernel queued them). */
    long staleEvents() {
        long n = 0;
        for (EpollPoller p : pollers) {
            n += p.staleEvents();
        }
        return n;
    }

    /** Number of epoll instances. */
    int size() {
        return pollers.length;
    }
}
