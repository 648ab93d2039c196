package dev.fiberio.epoll;

import static dev.fiberio.nativeio.ffi.LinuxConstants.EFD_CLOEXEC;
import static dev.fiberio.nativeio.ffi.LinuxConstants.EFD_NONBLOCK;
import static dev.fiberio.nativeio.ffi.LinuxConstants.EPOLLERR;
import static dev.fiberio.nativeio.ffi.LinuxConstants.EPOLLET;
import static dev.fiberio.nativeio.ffi.LinuxConstants.EPOLLHUP;
import static dev.fiberio.nativeio.ffi.LinuxConstants.EPOLLIN;
import static dev.fiberio.nativeio.ffi.LinuxConstants.EPOLLOUT;
import static dev.fiberio.nativeio.ffi.LinuxConstants.EPOLLPRI;
import static dev.fiberio.nativeio.ffi.LinuxConstants.EPOLLRDHUP;
import static dev.fiberio.nativeio.ffi.LinuxConstants.EPOLL_CLOEXEC;
import static dev.fiberio.nativeio.ffi.LinuxConstants.EPOLL_CTL_ADD;

import dev.fiberio.epoll.ffi.LibEpoll;
import dev.fiberio.nativeio.NativeFd;
import dev.fiberio.nativeio.TokenTable;
import dev.fiberio.core.spi.Poller;
import dev.fiberio.epoll.ffi.EpollEvent;
import dev.fiberio.nativeio.ffi.Errno;
import dev.fiberio.nativeio.ffi.LibC;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;

/**
 * One epoll instance: sockets registered once, edge-triggered, at creation; {@link #poll} turns
 * their readiness into {@link dev.fiberio.core.spi.WaitSlot#signal()}s on their read and write slots.
 *
 * <h2>Implementation overview</h2>
 * <ul>
 *   <li>{@code epfd} and {@code wakeFd} (an eventfd registered with the token {@link #WAKEUP_TOKEN})
 *       are {@link NativeFd}s: {@link #close()} marks them closed, and the descriptors are released
 *       only after a poll in progress has returned (so a closed eventfd never hides the wake-up that
 *       close wrote); the epoll fd's release closes the eventfd. {@code events} (the
 *       {@code epoll_event} array, used by the one polling thread) and the 8-byte eventfd buffers come
 *       from an automatic arena owned by this object: they are freed by the GC after the poller is
 *       unreachable, so no late {@code wakeup()} can touch freed memory.</li>
 *   <li>{@code polling} (volatile) is true while a thread is inside, or about to enter,
 *       {@code epoll_wait}; {@link #wakeup()} writes the eventfd only then and only once per poll
 *       ({@code wakePending}, CAS), so wake-ups cost nothing when nobody blocks.</li>
 *   <li>{@code tokens} maps event tokens back to channels and drops events for closed ones.</li>
 * </ul>
 * Events: EPOLLIN, EPOLLPRI, EPOLLRDHUP, EPOLLHUP and EPOLLERR wake the read slot; EPOLLOUT, EPOLLHUP
 * and EPOLLERR the write slot. EPOLLPRI (TCP urgent data), EPOLLRDHUP, EPOLLHUP and EPOLLERR also mark
 * the channel ({@code lastingReadCondition}) before the wake-up: each reports a state that stays
 * without a further event (the peer's end of stream, an error, an urgent mark where a read stops
 * short), so from then on a short read no longer counts as emptying the socket. A wake-up that finds nobody waiting stays in the slot as a permit
 * (edge-triggered readiness is not lost), and the woken operation retries its system call.
 */
final class EpollPoller implements Poller {
    static final int INTEREST = EPOLLIN | EPOLLPRI | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    private static final long WAKEUP_TOKEN = -1L;
    /**
     * The most events one poll takes ({@code fiberio.epoll.maxEvents}, default 128, as Go's netpoller):
     * each resumes a fiber onto the polling worker's queue, so a poll of hundreds of events put a
     * long stretch of freshly woken fibers ahead of the next poll's; events left in the kernel are
     * taken by the next poll (a busy worker polls every 61 runs), interleaved with the queue.
     */
    static final int MAX_EVENTS = Math.max(1, Math.min(4096, Integer.getInteger("fiberio.epoll.maxEvents", 128)));
    private static final int READ_EVENTS = EPOLLIN | EPOLLPRI | EPOLLRDHUP | EPOLLHUP | EPOLLERR;
    private static final int WRITE_EVENTS = EPOLLOUT | EPOLLHUP | EPOLLERR;
    private static final int LASTING_READ_EVENTS = EPOLLPRI | EPOLLRDHUP | EPOLLHUP | EPOLLERR;
    private static final VarHandle WAKE_PENDING;
    private static final VarHandle CLOSED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            WAKE_PENDING = l.findVarHandle(EpollPoller.class, "wakePending", boolean.class);
            CLOSED = l.findVarHandle(EpollPoller.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final TokenTable<EpollChannel> tokens = new TokenTable<>();
    private final NativeFd epfd;
    private final NativeFd wakeFd;
    private final MemorySegment events;      // the polling thread's
    private final MemorySegment drainBuffer; // the polling thread's
    private final MemorySegment one;         // constant 1, read by any waking thread
    private volatile boolean polling;
    /** Stale events dropped by every instance, for {@link EpollNetProvider#staleEventsDropped()}. */
    static final LongAdder ALL_STALE_EVENTS = new LongAdder();
    /** Stale events dropped here; written by the one thread polling at a time (polls do not overlap). */
    private volatile long staleEvents;
    @SuppressWarnings("unused")
    private volatile boolean wakePending;
    @SuppressWarnings("unused")
    private volatile boolean closed;

    EpollPoller() throws IOException {
        int ep = LibEpoll.epollCreate1(EPOLL_CLOEXEC);
        if (ep < 0) {
            throw Errno.toException("epoll_create1", -ep);
        }
        int ev = LibC.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (ev < 0) {
            LibC.close(ep);
            throw Errno.toException("eventfd", -ev);
        }
        int r = LibEpoll.epollCtl(ep, EPOLL_CTL_ADD, ev, EPOLLIN | EPOLLET, WAKEUP_TOKEN);
        if (r < 0) {
            LibC.close(ev);
            LibC.close(ep);
            throw Errno.toException("epoll_ctl(eventfd)", -r);
        }
        wakeFd = new NativeFd(ev, () -> { });
        epfd = new NativeFd(ep, this::released);
        // Owner: this poller (automatic arena): freed by the GC once the poller is unreachable.
        Arena arena = Arena.ofAuto();
        events = EpollEvent.allocateArray(arena, MAX_EVENTS);
        drainBuffer = arena.allocate(8);
        one = arena.allocate(8);
        one.set(ValueLayout.JAVA_LONG, 0, 1L);
    }

    /** Registers {@code channel}'s fd, edge-triggered for both directions; called once per socket. */
    void register(EpollChannel channel, int fd) throws IOException {
        if (!epfd.acquire()) {
            throw new IOException("the epoll poller is closed");
        }
        long token = tokens.add(channel);
        channel.token = token;
        int r;
        try {
            r = LibEpoll.epollCtl(epfd.fd, EPOLL_CTL_ADD, fd, INTEREST, token);
        } finally {
            epfd.release();
        }
        if (r < 0) {
            tokens.remove(token);
            throw Errno.toException("epoll_ctl(ADD)", -r);
        }
    }

    /** Forgets a channel; its fd leaves the epoll set by itself when it is closed. */
    void deregister(EpollChannel channel) {
        tokens.remove(channel.token);
    }

    @Override
    public int poll(long timeoutNanos) throws IOException {
        if (!epfd.acquire()) {
            return -1;
        }
        try {
            int timeoutMillis = timeoutNanos < 0 ? -1
                    : (int) Math.min(Integer.MAX_VALUE, (timeoutNanos + 999_999) / 1_000_000);
            polling = true; // volatile write, then volatile read of wakePending: pairs with wakeup()
            boolean wakeRequested = (boolean) WAKE_PENDING.getVolatile(this);
            int n;
            try {
                n = LibEpoll.epollWait(epfd.fd, events, MAX_EVENTS, wakeRequested ? 0 : timeoutMillis);
            } finally {
                polling = false;
            }
            if (n < 0) {
                if (-n == Errno.EINTR) {
                    return 0;
                }
                throw Errno.toException("epoll_wait", -n);
            }
            int dispatched = 0;
            for (int i = 0; i < n; i++) {
                long token = EpollEvent.data(events, i);
                if (token == WAKEUP_TOKEN) {
                    LibC.read(wakeFd.fd, drainBuffer, 8); // reset the counter; EAGAIN is fine
                    wakeRequested = true;
                    continue;
                }
                if (dispatch(token, EpollEvent.events(events, i))) {
                    dispatched++;
                }
            }
            if (wakeRequested) {
                WAKE_PENDING.setVolatile(this, false); // this poll returned: the wake-up is consumed
            }
            return dispatched;
        } finally {
            epfd.release(); // after close(), the last poll to leave closes the epoll fd and the eventfd
        }
    }

    /**
     * Wakes the slots of the channel that {@code token} names; drops the event if that channel was
     * closed after the kernel queued it (its token's generation no longer matches).
     *
     * @return whether a live channel received the event
     */
    boolean dispatch(long token, int ev) {
        EpollChannel ch = tokens.lookup(token);
        if (ch == null) {
            staleEvents = staleEvents + 1; // one writer at a time: the polling thread
            ALL_STALE_EVENTS.increment();
            return false;
        }
        if ((ev & LASTING_READ_EVENTS) != 0 && !ch.lastingReadCondition) {
            ch.lastingReadCondition = true; // before the wake-up, which orders it for the reader it resumes
        }
        if ((ev & READ_EVENTS) != 0) {
            ch.readSlot.signal();
        }
        if ((ev & WRITE_EVENTS) != 0) {
            ch.writeSlot.signal();
        }
        return true;
    }

    /**
     * Sticky: sets {@code wakePending} (one CAS), which the next poll sees before it blocks, and writes
     * the eventfd only if a poll may be blocked right now (volatile read of {@code polling} after the
     * CAS; the poller writes {@code polling} before it reads {@code wakePending}, so one of the two
     * sees the other). Repeated wake-ups before the poll returns cost one CAS each, no system call.
     */
    @Override
    public void wakeup() {
        if (WAKE_PENDING.compareAndSet(this, false, true) && polling) {
            writeWakeFd();
        }
    }

    private void writeWakeFd() {
        if (wakeFd.acquire()) {
            try {
                LibC.write(wakeFd.fd, one, 8);
            } finally {
                wakeFd.release();
            }
        }
    }

    /**
     * After the epoll descriptor itself was closed — by {@link #close()}, or by the last poll or
     * registration still in progress then, so no registration can follow: closes the eventfd, and
     * every socket still registered here. Those sockets could never learn of readiness again; closing
     * them wakes whoever waits in them ("Socket closed: ...") and releases their descriptors, which
     * would otherwise outlive the scheduler that owned this instance.
     */
    private void released() {
        wakeFd.close();
        for (EpollChannel ch : tokens.live()) {
            ch.closeBecause("its epoll instance was closed (its scheduler shut down)");
        }
    }

    /** Closes the epoll set: a poll in progress returns and releases the descriptors. Idempotent. */
    @Override
    public void close() {
        if (!CLOSED.compareAndSet(this, false, true)) {
            return;
        }
        // Marked closed before the wake-up: no poll can begin after the mark, so the wake-up reaches the
        // poll in progress, if any. Woken first, a poll could consume it, return, and begin again before
        // the mark, then block with nothing left to wake it (and the descriptors stay held by it).
        epfd.close();  // closes now, or when the poll in progress leaves; that closes the eventfd
        writeWakeFd(); // unconditional: a poll blocked right now must return (nothing to do if released)
    }

    boolean isClosed() {
        return closed;
    }

    /** Events dropped so far because their token named a channel that was closed since. */
    long staleEvents() {
        return staleEvents;
    }
}
