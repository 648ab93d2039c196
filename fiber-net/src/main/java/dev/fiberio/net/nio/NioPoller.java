package dev.fiberio.net.nio;

import dev.fiberio.core.spi.FiberSpi;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.spi.WaitSlot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link Selector} and the platform thread that polls it, per {@link FiberScheduler} (a scheduler
 * {@linkplain FiberScheduler#service service}, closed with the scheduler).
 *
 * <h2>Implementation overview</h2>
 * <ul>
 *   <li>The selector is level-triggered, so readiness is made one-shot: a waiter adds its operation to
 *       the key's interest set ({@link #interest}, any thread: {@code interestOpsOr} is thread-safe
 *       since JDK 11 and takes effect at the next select, hence the {@code wakeup()}); the poller thread,
 *       when the key is selected ({@link #dispatch}), removes the ready operations from the interest set
 *       and signals the registration's wait slots. A signal that finds no waiter leaves a permit, so a
 *       readiness that arrives before the waiter suspends is not lost; a stale permit only causes one
 *       more non-blocking attempt.</li>
 *   <li>{@code selector}: keys are created by {@link #register} on any thread (non-blocking since
 *       JDK 11); only the poller thread selects, and it closes the selector when it exits.</li>
 *   <li>Closing is made synchronous: the JDK cancels a closed channel's key at once but releases its
 *       file descriptor (a listener stops listening, a linger-0 socket sends its RST) only when the
 *       poller thread next deregisters cancelled keys, at the start and end of each select. So a closer
 *       waits in {@link #awaitRelease()} until two more select rounds have completed: {@code rounds}
 *       (volatile, incremented only by the poller thread after each select) and {@code releaseWaiters}
 *       (each closer's target round and wait slot, signalled by the poller once reached; while it is not
 *       empty the poller does not block in select). A closer adds itself before its {@code wakeup()}, so
 *       the poller either sees it before blocking or is woken.</li>
 *   <li>{@code live}: the open registrations (concurrent set), added by {@link #register}, removed by
 *       {@link NioRegistration#close()}. When the poller stops, it closes every registration still live,
 *       waking their waiters with "Socket closed: ...".</li>
 *   <li>{@code closing} (volatile): set once by {@link #close()} or the failing poller thread.
 *       {@link #register} adds to {@code live} and then reads {@code closing}; shutdown writes
 *       {@code closing} and then reads {@code live}; so a registration racing with shutdown is either
 *       closed by shutdown or refuses itself.</li>
 * </ul>
 */
final class NioPoller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NioPoller.class);
    /** The key of this service in each scheduler. */
    private static final Object SERVICE_KEY = NioPoller.class;
    private static final long JOIN_TIMEOUT_SECONDS = 10;

    private final String schedulerName;
    private final Selector selector;
    private final Thread thread;
    private final Set<NioRegistration> live = ConcurrentHashMap.newKeySet();
    private final Queue<ReleaseWaiter> releaseWaiters = new ConcurrentLinkedQueue<>();
    private volatile long rounds;
    private volatile boolean closing;

    private NioPoller(FiberScheduler scheduler) throws IOException {
        this.schedulerName = scheduler.name();
        // Owner: this poller. Closed by the poller thread when it exits (stop()), after closing every
        // channel still registered, so no file descriptor outlives the scheduler.
        this.selector = Selector.open();
        this.thread = Thread.ofPlatform().daemon().name("fiberio-" + schedulerName + "-nio-poller").unstarted(this::run);
        thread.start();
    }

    /**
     * The poller of the caller's context: the calling fiber's scheduler, or the default scheduler on a
     * plain thread; created on first use.
     *
     * @return the poller
     * @throws IOException if the scheduler is closed or the selector cannot be opened
     */
    static NioPoller forCaller() throws IOException {
        Fiber f = Fiber.current();
        FiberScheduler scheduler = f != null ? f.scheduler() : FiberScheduler.defaultScheduler();
        try {
            return FiberSpi.service(scheduler, SERVICE_KEY, s -> {
                try {
                    return new NioPoller(s);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (RejectedExecutionException e) {
            throw new SocketException("cannot open a socket: " + e.getMessage());
        }
    }

    /**
     * Registers {@code channel} (already non-blocking) with an empty interest set.
     *
     * @param channel the channel
     * @return its registration, owned by the channel's handle
     * @throws IOException if this poller has stopped
     */
    NioRegistration register(SelectableChannel channel) throws IOException {
        SelectionKey key;
        try {
            key = OutOfLine.call(() -> channel.register(selector, 0)); // JDK channel code on a fiber: see OutOfLine
        } catch (ClosedSelectorException e) {
            throw stopped();
        }
        NioRegistration reg = new NioRegistration(this, channel, key);
        key.attach(reg); // before any interest is set, so dispatch never sees a key without one
        live.add(reg);
        if (closing) {
            reg.close();
            throw stopped();
        }
        return reg;
    }

    /**
     * Asks to be told when one of {@code ops} is ready on {@code key}.
     *
     * @param key the key
     * @param ops {@link SelectionKey} operation bits
     * @throws CancelledKeyException if the channel was closed
     */
    void interest(SelectionKey key, int ops) {
        key.interestOpsOr(ops);
        selector.wakeup();
    }

    /** Makes the poller thread select again soon (to apply interest changes and close cancelled channels). */
    void wakeup() {
        selector.wakeup();
    }

    /** Forgets a closed registration. */
    void remove(NioRegistration reg) {
        live.remove(reg);
    }

    /**
     * Waits until the poller thread has released the descriptors of channels closed before this call
     * (see the class comment). Returns early if the caller is cancelled (the release then happens a
     * moment later), on the poller thread itself, and while the poller stops (which releases all).
     */
    void awaitRelease() {
        if (Thread.currentThread() == thread || closing) {
            return;
        }
        // The select that is running may have deregistered before our close; the next one will not.
        long target = rounds + 2;
        ReleaseWaiter waiter = new ReleaseWaiter(target, new WaitSlot());
        releaseWaiters.add(waiter);
        selector.wakeup();
        while (rounds < target && !closing) {
            if (waiter.slot().await() == WaitSlot.CANCELLED) {
                return;
            }
        }
    }

    /** Stops the poller thread, which closes every channel still registered; waits for it. */
    @Override
    public void close() {
        closing = true;
        selector.wakeup();
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            if (!thread.join(Duration.ofSeconds(JOIN_TIMEOUT_SECONDS))) {
                LOG.warn("NIO poller of scheduler '{}' did not stop within {} s", schedulerName, JOIN_TIMEOUT_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            while (!closing) {
                if (releaseWaiters.isEmpty()) {
                    selector.select(NioPoller::dispatch);
                } else {
                    selector.selectNow(NioPoller::dispatch); // a closer needs another round at once
                }
                completeRound();
            }
        } catch (IOException | RuntimeException | Error e) {
            LOG.error("NIO poller of scheduler '{}' failed; closing its sockets", schedulerName, e);
        } finally {
            stop();
        }
    }

    /**
     * Poller thread: the key is ready; make the readiness one-shot and wake the waiters. Touches nothing
     * of the poller but the key (jcstress plays the poller thread with it on a selector of its own).
     */
    static void dispatch(SelectionKey key) {
        NioRegistration reg = (NioRegistration) key.attachment();
        int ready;
        try {
            ready = key.readyOps();
            key.interestOpsAnd(~ready);
        } catch (CancelledKeyException e) {
            ready = SelectionKey.OP_READ | SelectionKey.OP_WRITE; // closed meanwhile: wake both sides
        }
        reg.ready(ready);
    }

    /** Poller thread, after each select: counts the round and wakes the closers waiting for it. */
    private void completeRound() {
        long done = rounds + 1;
        rounds = done; // only this thread writes it
        if (!releaseWaiters.isEmpty()) {
            releaseWaiters.removeIf(w -> {
                if (w.target() > done) {
                    return false;
                }
                w.slot().signal();
                return true;
            });
        }
    }

    /** Poller thread, on exit: closes what is still registered, then the selector, then wakes closers. */
    private void stop() {
        closing = true;
        for (NioRegistration reg : live) {
            reg.closeBecause("scheduler '" + schedulerName + "' closed its NIO poller");
        }
        try {
            selector.close();
        } catch (IOException e) {
            LOG.warn("NIO poller of scheduler '{}': closing the selector failed", schedulerName, e);
        }
        for (ReleaseWaiter w; (w = releaseWaiters.poll()) != null; ) {
            w.slot().signal();
        }
    }

    /** A closer waiting for select round {@code target}. */
    private record ReleaseWaiter(long target, WaitSlot slot) {
    }

    private SocketException stopped() {
        return new SocketException("the NIO poller of scheduler '" + schedulerName + "' has stopped");
    }

    @Override
    public String toString() {
        return "NioPoller[" + schedulerName + ", " + live.size() + " channels]";
    }
}
