package dev.fiberio.core;

import dev.fiberio.core.spi.WaitSlot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.openjdk.jcstress.infra.results.IIIII_Result;

/**
 * The harness sees the bugs the suite is for: each test plays a broken waker (or none) by hand and
 * checks that the result is graded with the forbidden label that names the bug.
 */
class DrivenFiberTest {
    private final WaitSlot slot = new WaitSlot();
    private final DrivenFiber waiter = new DrivenFiber(slot::await);

    /** The result WaitVsSignal would report, with r5 = 1. */
    private String report() {
        IIIII_Result r = new IIIII_Result();
        waiter.runAll();
        r.r1 = waiter.result();
        waiter.report(r);
        r.r5 = 1;
        return r.toString();
    }

    @Test
    void aWaiterThatNobodyWakesIsNeverResumed() {
        waiter.runNext();
        assertEquals(WaitSlot.SUSPENDED, slot.state());
        String result = report();
        assertEquals("-1, 0, 0, 0, 1", result);
        assertEquals(List.of("never resumed"), Grading.forbiddenLabels(WaitVsSignal.class, result));
    }

    @Test
    void aWakerThatResumesAgainIsRefusedAndCountedAsASecondResume() {
        waiter.runNext();
        assertFalse(waiter.wake(() -> {
            slot.signal();
            waiter.fiber().resume(); // a buggy waker resuming a fiber that is already resumed
            return true;
        }), "the refused resume is reported as a failed wake");
        String result = report();
        assertEquals("0, 2, 2, 0, 1", result);
        assertEquals(List.of("resumed twice"), Grading.forbiddenLabels(WaitVsSignal.class, result));
    }

    @Test
    void aResumeBeforeTheFiberFirstRanIsEarly() {
        assertFalse(waiter.wake(() -> {
            waiter.fiber().resume();
            return true;
        }));
        assertEquals(1, waiter.earlyRefusals());
        waiter.runNext();
        slot.signal();
        String result = report();
        assertEquals("0, 2, 2, 1, 1", result);
        assertEquals(List.of("resumed twice", "resumed before the hook"), Grading.forbiddenLabels(WaitVsSignal.class, result));
    }

    @Test
    void aResumeOfTheRunningFiberIsEarly() {
        AtomicReference<DrivenFiber> self = new AtomicReference<>();
        WaitSlot s = new WaitSlot();
        DrivenFiber f = new DrivenFiber(() -> {
            self.get().wake(() -> { // from inside the running fiber: it has not switched out
                self.get().fiber().resume();
                return true;
            });
            return s.await();
        });
        self.set(f);
        f.runNext();
        assertEquals(1, f.earlyRefusals());
        assertEquals(1, f.resumeAttempts());
        assertEquals(0, f.resumer(), "the refused resume submitted nothing");
        assertEquals(DrivenFiber.NOT_RETURNED, f.result());
    }

    @Test
    void aResumeFromThePostSwitchHookIsAttributedToTheHook() {
        DrivenFiber yielder = new DrivenFiber(() -> {
            Fiber.yield(); // its hook resumes it at once, on the thread running it
            return 7;
        });
        yielder.runNext();
        assertEquals(1, yielder.resumer());
        yielder.runAll();
        assertEquals(7, yielder.result());
        assertEquals(1, yielder.resumeAttempts());
    }

    @Test
    void aResumeFromAWakerIsAttributedToTheWaker() {
        waiter.runNext();
        assertTrue(waiter.wake(slot::signal));
        assertEquals("0, 1, 2, 0, 1", report());
    }

    @Test
    void aFiberCancelledBeforeItRanNeverStartsItsBody() {
        waiter.cancel();
        waiter.runNext();
        assertEquals(DrivenFiber.NEVER_STARTED, waiter.result());
        assertEquals(FiberState.TERMINATED, waiter.fiber().state());
    }
}
