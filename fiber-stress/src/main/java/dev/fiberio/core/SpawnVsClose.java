package dev.fiberio.core;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIII_Result;

/**
 * {@link FiberScheduler#spawn} racing {@link FiberScheduler#close()} on a manual scheduler whose fibers the
 * spawning actor runs itself (it plays the worker). A fiber that spawn accepted runs, or, if no worker
 * will ever run it, is abandoned (terminated as cancelled): its joiners never hang. A spawn that begins
 * after close returned throws {@link RejectedExecutionException}.
 *
 * <p>Fields: r1 1 if spawn accepted the fiber, 0 if it threw RejectedExecutionException; r2 1 if the
 * fiber's task ran; r3 1 if the fiber terminated (its joiners return); r4 1 if close() had already
 * returned when spawn began; r5 live fibers left.
 */
@JCStressTest
@Description("spawn() vs close() of a scheduler: an accepted fiber runs or is abandoned, never left hanging; spawn after close throws")
@Outcome(id = "1, 1, 1, 0, 0", expect = ACCEPTABLE, desc = "spawn came first: the fiber ran and ended; close waited for it")
@Outcome(id = "0, 0, 0, [01], 0", expect = ACCEPTABLE, desc = "close came first: spawn threw RejectedExecutionException")
@Outcome(id = "1, 0, 1, 0, 0", expect = ACCEPTABLE,
        desc = "spawn accepted the fiber but close stopped the scheduler before it ran: it was abandoned (joiners get FiberCancelledException)")
@Outcome(id = "1, 0, 0, .*", expect = FORBIDDEN, desc = "an accepted fiber neither ran nor was abandoned: its joiner would hang")
@Outcome(id = "1, \\d, \\d, 1, \\d", expect = FORBIDDEN, desc = "spawn accepted a fiber after close() had returned")
@Outcome(expect = FORBIDDEN, desc = "not a listed outcome")
@State
public class SpawnVsClose {
    private final Queue<Fiber> runQueue = new ConcurrentLinkedQueue<>();
    private final FiberScheduler scheduler = FiberScheduler.manual("jcstress-close", runQueue::add);
    private volatile boolean closeReturned;
    private volatile boolean ran;
    private Fiber spawned;

    /** Creates the state: an open scheduler without fibers. */
    public SpawnVsClose() {
    }

    /**
     * Spawns, then plays the worker: runs what was submitted.
     *
     * @param r r1 and r4 as in the class comment
     */
    @Actor
    public void spawner(IIIII_Result r) {
        r.r4 = closeReturned ? 1 : 0;
        try {
            spawned = scheduler.spawn(() -> ran = true);
            r.r1 = 1;
        } catch (RejectedExecutionException e) {
            r.r1 = 0;
            return;
        }
        for (Fiber f; (f = runQueue.poll()) != null; ) {
            if (f.state() == FiberState.RUNNABLE) {
                f.runOnCallingThread();
            }
        }
    }

    /** Closes the scheduler (it waits, bounded, for the live fiber to end). */
    @Actor
    public void closer() {
        scheduler.close();
        closeReturned = true;
    }

    /**
     * Reports.
     *
     * @param r r2, r3, r5 as in the class comment
     */
    @Arbiter
    public void arbiter(IIIII_Result r) {
        Fiber f = spawned;
        r.r2 = ran ? 1 : 0;
        r.r3 = f != null && f.onTermination().isDone() ? 1 : 0;
        r.r5 = scheduler.liveFibers();
    }
}
