package dev.fiberio.core;

import dev.fiberio.core.spi.WaitSlot;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIII_Result;

/**
 * Race (g): a {@link TimerQueue} entry that is due, expired by the queue's owner, against
 * {@link TimerQueue.Entry#cancel()} from another thread (the waiter, resumed elsewhere, cancelling its
 * deadline). Exactly one of them wins the entry; a fired entry wakes its slot, on which a fiber waits
 * (driven into {@code await()} by the constructor, as the hook of a timed wait would have armed it).
 *
 * <p>Fields: r1 what {@code expire()} returned (entries fired); r2 what {@code cancel()} returned (1
 * true); r3 the reason the waiting fiber got, -1 if it still waits; r4 resume attempts (refused ones
 * included); r5 entries left in the queue after the expiry.
 */
@JCStressTest
@Description("TimerQueue expiry by its owner vs Entry.cancel(): exactly one wins; a fired timer wakes its waiter once")
@Outcome(id = "1, 0, 1, 1, 0", expect = ACCEPTABLE,
        desc = "the timer fired and woke the waiter with TIMED_OUT; cancel() came too late and returned false")
@Outcome(id = "0, 1, -1, 0, 0", expect = ACCEPTABLE,
        desc = "cancel() won: the timer did not fire and the waiter still waits (nothing else wakes it)")
@Outcome(id = "1, 1, .*", expect = FORBIDDEN, desc = "the entry both fired and was cancelled")
@Outcome(id = "0, 0, .*", expect = FORBIDDEN, desc = "the entry neither fired nor was cancelled: a lost timer")
@Outcome(id = "1, 0, -1, .*", expect = FORBIDDEN, desc = "never resumed: the timer fired but the waiter still waits")
@Outcome(id = "\\d+, \\d+, -?\\d+, ([2-9]|\\d{2,}), .*", expect = FORBIDDEN, desc = "resumed twice")
@Outcome(expect = FORBIDDEN, desc = "not a listed outcome: a wrong reason, or the entry left in the queue")
@State
public class TimerFireVsCancel {
    private final WaitSlot slot = new WaitSlot();
    private final DrivenFiber waiter = new DrivenFiber(slot::await);
    private final TimerQueue timers = new TimerQueue();
    private final long deadline = System.nanoTime();
    private final TimerQueue.Entry entry;
    private int fired;

    /** Creates the state: the fiber suspended in {@code await()}, and its timer due in the queue. */
    public TimerFireVsCancel() {
        waiter.runNext();
        entry = timers.schedule(deadline, slot, slot.episode()); // the timer of the wait in progress
    }

    /**
     * The queue's owner: fires what is due (the entry is due at {@code now == deadline}). The arbiter reports the number of entries fired.
     */
    @Actor
    public void owner() {
        waiter.wake(() -> {
            fired = timers.expire(deadline);
            return true;
        });
    }

    /**
     * The canceller.
     *
     * @param r r2 receives cancel()'s result
     */
    @Actor
    public void canceller(IIIII_Result r) {
        r.r2 = entry.cancel() ? 1 : 0;
    }

    /**
     * Runs what was resumed and reports.
     *
     * @param r r1 and r3-r5 as in the class comment
     */
    @Arbiter
    public void arbiter(IIIII_Result r) {
        waiter.runAll();
        r.r1 = fired;
        r.r3 = waiter.result();
        r.r4 = waiter.resumeAttempts();
        r.r5 = timers.size();
    }
}
