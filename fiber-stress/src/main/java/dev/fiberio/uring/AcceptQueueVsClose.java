package dev.fiberio.uring;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.fiberio.core.spi.WaitSlot;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * {@link AcceptQueue}: the reaper queuing a connection from an armed multishot accept against the
 * listening socket's close. The reaper queues, then reads CLOSED (and closes what is queued if set); the
 * closer sets CLOSED, then closes what is queued. Every accepted descriptor must be closed exactly once
 * and none may stay in the queue. The descriptor is a number no one opened; the test counts the calls
 * of the queue's close callback. r1: closes; r2: connections left queued.
 */
@JCStressTest
@Description("multishot accept queue vs close: a queued connection is closed exactly once, none stays queued")
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the queued connection was closed once, by the reaper or by the closer, and the queue is empty")
@Outcome(id = "0, .*", expect = FORBIDDEN, desc = "the connection leaked: nobody closed it")
@Outcome(id = "1, [1-9]\\d*", expect = FORBIDDEN, desc = "closed, yet still queued for an accept")
@Outcome(id = "([2-9]|\\d{2,}), .*", expect = FORBIDDEN, desc = "closed twice (the number may belong to another file by then)")
@Outcome(expect = FORBIDDEN, desc = "not a listed outcome")
@State
public class AcceptQueueVsClose {
    private final AtomicInteger closes = new AtomicInteger();
    private final AcceptQueue queue = new AcceptQueue(fd -> closes.incrementAndGet());

    /** Creates the state: a multishot accept in flight (KERNEL), no caller holding the record. */
    public AcceptQueueVsClose() {
        queue.attach(new WaitSlot(), 1, AcceptQueue::closeUnclaimed);
        queue.acquire();
        queue.started();
        queue.release();
    }

    /** The reaper: a completion with IORING_CQE_F_MORE carrying a new descriptor. */
    @Actor
    public void reaper() {
        queue.more(0, 1000, 2);
    }

    /** The listening socket's close: CLOSED, then the queue drained (as UringServerSocket.close does). */
    @Actor
    public void closer() {
        queue.close();
        queue.closeQueued();
    }

    /** After both. */
    @Arbiter
    public void arbiter(II_Result r) {
        r.r1 = closes.get();
        r.r2 = queue.queuedCount();
    }
}
